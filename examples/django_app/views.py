"""Views of the Django example."""

from __future__ import annotations

import html
import os

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from keycloak_sdk.extensions.django.views import current_identity, requires_roles, requires_scopes
from keycloak_sdk.extensions.web.identity import Identity
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from examples import HOME_PAGE


def home(request: HttpRequest) -> HttpResponse:
    token = html.escape(get_token(request))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    return HttpResponse(HOME_PAGE.format(title="Django example", csrf=csrf))


def howdy(request: HttpRequest) -> HttpResponse:
    """Reads the session as keycloak-client's example views do."""
    user = html.escape(request.session["user"], quote=False)
    return HttpResponse(f'Howdy {user} <a id="logout" href="/kc/logout">Log out</a>')


def public(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"public": True})


def profile(request: HttpRequest) -> HttpResponse:
    identity = current_identity(request)
    user = request.user
    groups = sorted(user.groups.values_list("name", flat=True)) if isinstance(user, User) else []
    return JsonResponse(
        {
            "user": user.get_username(),
            "source": identity.source if identity else None,
            "roles": sorted(identity.realm_roles) if identity else [],
            "groups": groups,
            "is_staff": bool(getattr(user, "is_staff", False)),
            "worker": os.getpid(),
        }
    )


@api_view(["GET"])
def api_me(request: Request) -> Response:
    identity = request.auth
    assert isinstance(identity, Identity)
    return Response({"user": request.user.get_username(), "sub": identity.subject})


@requires_roles("admin")
def api_admin(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"admin": True})


@requires_roles("sdk-confidential:reader")
def api_reader(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"reader": True})


@requires_scopes("email")
def api_email(request: HttpRequest) -> HttpResponse:
    identity = current_identity(request)
    return JsonResponse({"email": identity.claims.email if identity else None})


@requires_scopes("sdk-extra")
def api_extra(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"extra": True})


def document(request: HttpRequest, doc_id: str) -> HttpResponse:
    return JsonResponse({"document": doc_id})
