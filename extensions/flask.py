"""Flask integration.

keycloak-client compatible WSGI middleware (client settings from KEYCLOAK_* env vars /
keycloak.json, or KEYCLOAK_* keys in `app.config`)::

    app.wsgi_app = AuthenticationMiddleware(app.wsgi_app, app.config, app.session_interface,
                                            callback_url=..., redirect_uri="/howdy",
                                            logout_uri="/logout")

Native extension::

    kc = KeycloakFlask(app)            # or KeycloakFlask() + kc.init_app(app)

    @app.get("/api/admin")
    @requires_roles("admin")
    def admin(): return {"user": current_identity().username}

Tokens never go into Flask's (readable, signed) cookie session: the browser keeps a sealed
session id, tokens stay in the server-side session store. What keycloak-client's apps read is
there, though: while a user is logged in, `session["user"]` holds the user's claims as a JSON
string (dropped again after logout). `session_interface` is accepted for compatibility.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from flask import Flask, Response, request, request_started, session
from flask.sessions import NullSession
from keycloak_sdk.extensions.web.engine import AuthEngine, WebResponse
from keycloak_sdk.extensions.web.guards import Match, RoleRequirement, ScopeRequirement
from keycloak_sdk.extensions.web.identity import Identity
from keycloak_sdk.extensions.web.settings import WebSettings, keycloak_client_options
from keycloak_sdk.extensions.web.wsgi import IDENTITY_KEY, USER_KEY, KeycloakWSGIMiddleware

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "AuthenticationMiddleware",
    "KeycloakFlask",
    "current_identity",
    "requires_roles",
    "requires_scopes",
]

P = ParamSpec("P")
R = TypeVar("R")
_ENGINE_KEY = "keycloak.engine"
# Marks a `session["user"]` this integration wrote, so that only that one is removed.
_SESSION_MARK = "_keycloak_user"
# keycloak-client's defaults for an app that configures no callback URL.
_KEYCLOAK_CLIENT_CALLBACK_URL = "http://localhost:5000/kc/callback"


class AuthenticationMiddleware(KeycloakWSGIMiddleware):
    """keycloak-client's `AuthenticationMiddleware(app, config, session_interface, ...)`."""

    def __init__(
        self,
        app: WSGIApplication,
        config: Mapping[str, Any] | None = None,
        session_interface: object | None = None,
        callback_url: str | None = None,
        redirect_uri: str | None = None,
        logout_uri: str | None = None,
        *,
        login_redirect_uri: str | None = None,
        logout_redirect_uri: str | None = None,
        engine: AuthEngine | None = None,
        **options: Any,
    ) -> None:
        del session_interface  # tokens are kept server-side, never in Flask's cookie
        if engine is None:
            values = dict(config or {})
            secret = values.get("KEYCLOAK_COOKIE_SECRET") or values.get("SECRET_KEY")
            if not callback_url and not values.get("KEYCLOAK_CALLBACK_URL"):
                callback_url = _KEYCLOAK_CLIENT_CALLBACK_URL
            compatible = keycloak_client_options(
                callback_url,
                redirect_uri,
                logout_uri,
                login_redirect_uri=login_redirect_uri,
                logout_redirect_uri=logout_redirect_uri,
            )
            web = WebSettings.from_mapping(
                values, secret_key=str(secret) if secret else None, **compatible, **options
            )
            engine = AuthEngine(web)
        super().__init__(app, engine)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        environ[_ENGINE_KEY] = self.engine
        return super().__call__(environ, start_response)


class KeycloakFlask:
    """Flask extension: reads `KEYCLOAK_*` from `app.config` and wraps `app.wsgi_app`."""

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        self.options = options
        self.engine: AuthEngine | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        values = {k: v for k, v in app.config.items() if k.startswith("KEYCLOAK_")}
        secret = app.config.get("KEYCLOAK_COOKIE_SECRET") or app.config.get("SECRET_KEY")
        self.engine = AuthEngine(
            WebSettings.from_mapping(
                values, secret_key=str(secret) if secret else None, **self.options
            )
        )
        app.wsgi_app = AuthenticationMiddleware(app.wsgi_app, engine=self.engine)  # type: ignore[method-assign]
        app.extensions["keycloak"] = self


def _sync_session(sender: Flask, **extra: object) -> None:
    """keycloak-client's `session["user"]`: the logged-in user's claims as a JSON string."""
    environ = request.environ
    user = environ.get(USER_KEY)
    if user is None and sender.config["SESSION_COOKIE_NAME"] not in environ.get("HTTP_COOKIE", ""):
        return  # no user to show and no Flask session to clean: leave the session unopened
    if _ENGINE_KEY not in environ or isinstance(session, NullSession) or not sender.secret_key:
        return
    if user is not None:
        value = json.dumps(user, sort_keys=True)
        if session.get("user") != value:
            session["user"] = value
            session[_SESSION_MARK] = True
    elif environ.get(IDENTITY_KEY) is None and session.get(_SESSION_MARK):
        session.pop("user", None)  # logged out (or the session ended): not shown any more
        session.pop("tokens", None)
        session.pop(_SESSION_MARK, None)


# Flask opens its session before `request_started`; what is set here is saved with it.
request_started.connect(_sync_session, weak=False)


def current_identity() -> Identity | None:
    """The caller of the current request (None on a public route without a session)."""
    found = request.environ.get(IDENTITY_KEY)
    return found if isinstance(found, Identity) else None


def _denied(scopes: tuple[str, ...] = ()) -> Response:
    engine = request.environ.get(_ENGINE_KEY)
    identity = current_identity()
    if isinstance(engine, AuthEngine):
        answer: WebResponse = engine.insufficient(identity, scopes)
    else:
        answer = WebResponse.text(401 if identity is None else 403, "Forbidden")
    return Response(answer.body, status=answer.status, headers=answer.headers)


def _guard(
    check: Callable[[Identity], bool], scopes: tuple[str, ...] = ()
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            identity = current_identity()
            if identity is None or not check(identity):
                return _denied(scopes)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def requires_roles(
    *roles: str, match: Match = "any"
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Realm roles, or client roles written `client:role`; 403 when missing."""
    requirement = RoleRequirement.of(roles, match)
    return _guard(lambda identity: requirement.satisfied_by(identity.claims))


def requires_scopes(
    *scopes: str, match: Match = "all"
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    requirement = ScopeRequirement.of(scopes, match)
    return _guard(lambda identity: requirement.satisfied_by(identity.claims), scopes)
