"""Login, callback, logout and back-channel logout views (the engine does the work).

With the middleware installed these paths are answered before the views run; the views make
the URLs reversible (`keycloak:login`, ...) and work without the middleware too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from keycloak_sdk.extensions.django._engine import get_engine, http_response
from keycloak_sdk.extensions.django.middleware import answer
from keycloak_sdk.extensions.web.guards import Match, RoleRequirement, ScopeRequirement
from keycloak_sdk.extensions.web.identity import Identity

P = ParamSpec("P")


def _delegate(request: HttpRequest, path: str) -> HttpResponse:
    outcome = answer(request, path)
    if isinstance(outcome, HttpResponse):
        return outcome
    return HttpResponse("Logged out", content_type="text/plain")


def login(request: HttpRequest) -> HttpResponse:
    return _delegate(request, get_engine().config.login_path)


def callback(request: HttpRequest) -> HttpResponse:
    return _delegate(request, get_engine().config.callback_path)


def logout(request: HttpRequest) -> HttpResponse:
    return _delegate(request, get_engine().config.logout_path)


@csrf_exempt  # server-to-server call from Keycloak, authenticated by the signed logout token
def backchannel_logout(request: HttpRequest) -> HttpResponse:
    return _delegate(request, get_engine().config.backchannel_logout_path)


def current_identity(request: HttpRequest) -> Identity | None:
    found = getattr(request, "keycloak", None)
    return found if isinstance(found, Identity) else None


def _guard(
    check: Callable[[Identity], bool], scopes: tuple[str, ...] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            identity = current_identity(request)
            if identity is None or not check(identity):
                return http_response(get_engine().insufficient(identity, scopes))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def requires_roles(
    *roles: str, match: Match = "any"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Realm roles, or client roles written `client:role`; 403 (401 anonymous) otherwise."""
    requirement = RoleRequirement.of(roles, match)
    return _guard(lambda identity: requirement.satisfied_by(identity.claims))


def requires_scopes(
    *scopes: str, match: Match = "all"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    requirement = ScopeRequirement.of(scopes, match)
    return _guard(lambda identity: requirement.satisfied_by(identity.claims), scopes)
