"""`keycloak_sdk.extensions.django.AuthenticationMiddleware`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from keycloak_sdk.extensions.django._engine import (
    csrf_refusal,
    get_engine,
    http_response,
    on_reset,
    run,
    web_request,
)
from keycloak_sdk.extensions.web.engine import Proceed, WebResponse
from keycloak_sdk.extensions.web.identity import Identity

if TYPE_CHECKING:
    from keycloak_sdk.extensions.django.backend import KeycloakBackend

_MAX_BODY = 64 * 1024 + 1
_backends: dict[str, KeycloakBackend] = {}
# Marks a `session["user"]` this integration wrote, so that only that one is removed.
_SESSION_MARK = "_keycloak_user"


_BACKEND_PATH = "keycloak_sdk.extensions.django.backend.KeycloakBackend"
# Whether `KeycloakBackend` is the one backend that handles identities, and whether
# django.contrib.auth is installed: read once per engine (again after a setting changes),
# not on every request.
_backend_choice: list[KeycloakBackend | None] = []
_auth_installed: list[bool] = []


def _forget_backend_choice(**_: object) -> None:
    _backend_choice.clear()
    _auth_installed.clear()


def _uses_contrib_auth() -> bool:
    if not _auth_installed:
        from django.apps import apps

        _auth_installed[:] = [apps.is_installed("django.contrib.auth")]
    return _auth_installed[0]


setting_changed.connect(_forget_backend_choice, weak=False)
on_reset(_forget_backend_choice)


def _keycloak_backend() -> KeycloakBackend | None:
    """The configured KeycloakBackend, when it is the one backend that handles identities."""
    if _backend_choice:
        return _backend_choice[0]
    from django.conf import settings

    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", ()))
    keycloak = [b for b in backends if b.endswith(".KeycloakBackend")]
    choice = None
    if keycloak == [_BACKEND_PATH]:
        if not _backends:
            from keycloak_sdk.extensions.django.backend import KeycloakBackend

            _backends[_BACKEND_PATH] = KeycloakBackend()
        choice = _backends[_BACKEND_PATH]
    _backend_choice[:] = [choice]
    return choice


def attach_identity(request: HttpRequest, identity: Identity | None) -> None:
    request.keycloak = identity  # type: ignore[attr-defined]
    if not _uses_contrib_auth():
        return
    if identity is None:
        if not hasattr(request, "user"):
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
        return

    def user() -> object:
        found = django_user(request, identity)
        if found is None:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser()
        return found

    request.user = SimpleLazyObject(user)  # type: ignore[assignment]


def django_user(request: HttpRequest, identity: Identity) -> object | None:
    """The Django user for `identity` (None: no backend knows it)."""
    backend = _keycloak_backend()
    if backend is not None:
        # Straight to KeycloakBackend (which keeps the synced user while the claims are
        # unchanged): django.contrib.auth.authenticate() would inspect every backend's
        # signature and could only end up here anyway.
        found = backend.authenticate(request, keycloak_identity=identity)
        if found is not None:
            found.backend = _BACKEND_PATH
        return found
    from django.contrib.auth import authenticate

    return authenticate(request, keycloak_identity=identity)


def sync_session(request: HttpRequest, outcome: Proceed) -> None:
    """keycloak-client's `request.session["user"]` (with Django's SessionMiddleware)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if outcome.user is not None:
        value = json.dumps(dict(outcome.user), sort_keys=True)
        if session.get("user") != value:
            session["user"] = value
            session[_SESSION_MARK] = True
    elif outcome.identity is None:
        forget_user(request)


def forget_user(request: HttpRequest) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.pop(_SESSION_MARK, None):
        session.pop("user", None)
        session.pop("tokens", None)


def answer(request: HttpRequest, path: str | None = None) -> HttpResponse | Proceed:
    """The engine's answer to `request` (as `path`): a response, or go on as an identity."""
    engine = get_engine()
    incoming = web_request(request, path)
    config = engine.config
    if incoming.path == config.logout_path and incoming.method == "POST":
        refused = csrf_refusal(request)  # Django's CSRF token, when the app uses it
        if refused is not None:
            return refused
    body = b""
    if incoming.path == config.backchannel_logout_path:
        body = request.read(_MAX_BODY)
    outcome = run(engine, incoming, body)
    if isinstance(outcome, WebResponse):
        if outcome.logged_out:
            forget_user(request)
        return http_response(outcome)
    attach_identity(request, outcome.identity)
    sync_session(request, outcome)
    return outcome


class AuthenticationMiddleware:
    """Runs the engine: login/callback/logout paths, path rules, bearer APIs, enforcer.

    It sets `request.keycloak` (an `Identity` or None) and `request.user`: the user from the
    authentication backends (`KeycloakBackend`), else AnonymousUser. With Django's
    SessionMiddleware, `request.session["user"]` holds the logged-in user's claims (JSON), as
    keycloak-client's apps read it; tokens stay in the engine's server-side store.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        get_engine().require_public_url()  # at start-up: a clear error, not a bad redirect

    def __call__(self, request: HttpRequest) -> HttpResponse:
        engine = get_engine()
        meta = request.META
        if engine.passes_untouched(request.path, meta.get("HTTP_COOKIE")):
            attach_identity(request, None)
            forget_user(request)
            return self.get_response(request)
        authorization = meta.get("HTTP_AUTHORIZATION")
        if authorization and not meta.get("HTTP_COOKIE"):
            # The common API call (one bearer header, no cookie): answered without building
            # a `WebRequest` or driving the engine when no I/O is needed (every check runs).
            quick = engine.bearer_now(
                (request.method or "GET").upper(),
                request.path,
                authorization,
                meta.get("QUERY_STRING", ""),
                blocking=True,
            )
            if isinstance(quick, WebResponse):
                return http_response(quick)
            if quick is not None:
                attach_identity(request, quick.identity)
                sync_session(request, quick)
                return self.get_response(request)
        outcome = answer(request)
        if isinstance(outcome, HttpResponse):
            return outcome
        return self.get_response(request)
