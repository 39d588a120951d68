"""`keycloak_sdk.extensions.django.AuthenticationMiddleware`."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from keycloak_sdk.extensions.django._engine import (
    get_engine,
    get_runner,
    http_response,
    web_request,
)
from keycloak_sdk.extensions.web.engine import WebResponse
from keycloak_sdk.extensions.web.identity import Identity

_MAX_BODY = 64 * 1024 + 1


def attach_identity(request: HttpRequest, identity: Identity | None) -> None:
    request.keycloak = identity  # type: ignore[attr-defined]
    from django.apps import apps

    if not apps.is_installed("django.contrib.auth"):
        return
    if identity is None:
        if not hasattr(request, "user"):
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
        return
    from django.contrib.auth import authenticate

    def user() -> object:
        found = authenticate(request, keycloak_identity=identity)
        if found is None:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser()
        return found

    request.user = SimpleLazyObject(user)  # type: ignore[assignment]


class AuthenticationMiddleware:
    """Runs the engine: login/callback/logout paths, path rules, bearer APIs, enforcer.

    It sets `request.keycloak` (an `Identity` or None) and `request.user`: the user from the
    authentication backends (`KeycloakBackend`), else AnonymousUser. Django's session and
    auth middlewares are not needed (tokens live in the engine's server-side store).
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        engine = get_engine()
        incoming = web_request(request)
        body = b""
        if incoming.path == engine.config.backchannel_logout_path:
            body = request.read(_MAX_BODY)

        async def read_body(limit: int) -> bytes:
            return body[:limit]

        outcome = get_runner().run(engine.handle(incoming, read_body))
        if isinstance(outcome, WebResponse):
            return http_response(outcome)
        attach_identity(request, outcome.identity)
        return self.get_response(request)
