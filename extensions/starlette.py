"""Starlette integration: a pure ASGI middleware and an `AuthenticationBackend`.

keycloak-client compatible use (settings from KEYCLOAK_* env vars or keycloak.json)::

    app.add_middleware(AuthenticationMiddleware, callback_url="http://localhost:8000/kc/callback",
                       redirect_uri="/howdy", logout_uri="/logout")

The middleware fills `request.user` (a `KeycloakUser`) and `request.auth`
(`AuthCredentials`: the token's scopes plus `authenticated`, `role:<realm role>` and
`role:<client>:<role>`), so Starlette's `@requires(...)` works unchanged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.errors import KeycloakError
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.challenge import bearer_challenge
from keycloak_sdk.extensions.web.engine import AuthEngine, Proceed, WebRequest, WebResponse
from keycloak_sdk.extensions.web.identity import Identity
from keycloak_sdk.extensions.web.paths import RouteKind
from keycloak_sdk.extensions.web.sessions import SessionStoreError
from keycloak_sdk.extensions.web.settings import WebSettings, keycloak_client_options
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
    UnauthenticatedUser,
)
from starlette.requests import HTTPConnection, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "AuthenticationMiddleware",
    "KeycloakAuthBackend",
    "KeycloakUser",
    "credentials_for",
    "engine_from",
]

IDENTITY_KEY = "keycloak.identity"
_WS_POLICY_VIOLATION = 1008
_WS_TRY_AGAIN_LATER = 1013
# Marks a `session["user"]` this integration wrote, so that only that one is removed.
_SESSION_MARK = "_keycloak_user"
# keycloak-client's default for an app that configures no callback URL.
_KEYCLOAK_CLIENT_CALLBACK_URL = "http://localhost:8000/kc/callback"


class _Anonymous(UnauthenticatedUser):
    """One instance serves every anonymous request, so nothing can be stored on it."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("the anonymous user is shared by every anonymous request")


_ANONYMOUS = _Anonymous()
# Read on every request: a module name is found faster than an enum class's member.
_PUBLIC, _API = RouteKind.PUBLIC, RouteKind.API


class KeycloakUser(BaseUser):
    def __init__(self, identity: Identity) -> None:
        self.keycloak = identity

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        claims = self.keycloak.claims
        return claims.preferred_username or claims.sub or ""

    @property
    def identity(self) -> str:
        return self.keycloak.claims.sub or ""

    @property
    def claims(self) -> AccessTokenClaims:
        return self.keycloak.claims

    def __repr__(self) -> str:
        return f"KeycloakUser({self.display_name!r})"


def _credential_scopes(identity: Identity) -> list[str]:
    scopes = {"authenticated", *identity.scopes}
    scopes.update(f"role:{role}" for role in identity.realm_roles)
    for client, roles in identity.claims.resource_access.items():
        scopes.update(f"role:{client}:{role}" for role in roles)
    return sorted(scopes)


class _IdentityCredentials(AuthCredentials):
    """`AuthCredentials` whose scopes are worked out when first read (by `@requires`), not
    on every request of a view that never reads them."""

    def __init__(self, identity: Identity) -> None:
        self._identity: Identity | None = identity
        self._scopes: list[str] = []

    @property
    def scopes(self) -> list[str]:
        if self._identity is not None:
            self._scopes, self._identity = _credential_scopes(self._identity), None
        return self._scopes

    @scopes.setter
    def scopes(self, value: list[str]) -> None:
        self._scopes, self._identity = list(value), None


class _NoCredentials(AuthCredentials):
    """An anonymous request's credentials: no scopes. One instance serves every anonymous
    request, so it holds nothing: each read of `scopes` is a new empty list, and nothing can
    be assigned to it."""

    def __init__(self) -> None:
        pass

    @property
    def scopes(self) -> list[str]:
        return []

    @scopes.setter
    def scopes(self, value: list[str]) -> None:
        raise AttributeError("an anonymous request's credentials hold no scopes")


_NO_CREDENTIALS = _NoCredentials()


def credentials_for(identity: Identity) -> AuthCredentials:
    return _IdentityCredentials(identity)


def asgi_request(scope: Scope) -> WebRequest:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name in headers:
            # Repeated headers are joined as a WSGI server joins them (HTTP/2 cookies with
            # `; `); two Authorization headers thus become one malformed header (400).
            value = f"{headers[name]}{'; ' if name == 'cookie' else ', '}{value}"
        headers[name] = value
    server = scope.get("server") or ("localhost", None)
    host = headers.get("host") or (f"{server[0]}:{server[1]}" if server[1] else str(server[0]))
    scheme = str(scope.get("scheme", "http"))
    if scheme in ("ws", "wss"):
        scheme = "https" if scheme == "wss" else "http"
    return WebRequest(
        method=str(scope.get("method", "GET")).upper(),
        path=str(scope.get("path", "/")),
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        scheme=scheme,
        host=host,
        cookies=cookie_parser(headers["cookie"]) if "cookie" in headers else {},
    )


async def send_response(response: WebResponse, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"content-length", str(len(response.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def _attach(scope: Scope, identity: Identity | None) -> None:
    scope[IDENTITY_KEY] = identity
    if identity is not None:
        scope["user"] = KeycloakUser(identity)
        scope["auth"] = _IdentityCredentials(identity)
    else:
        scope["user"] = _ANONYMOUS  # holds no state
        scope["auth"] = _NO_CREDENTIALS


class AuthenticationMiddleware:
    """Pure ASGI middleware: browser session login, bearer APIs, WebSockets, enforcer."""

    def __init__(
        self,
        app: ASGIApp,
        /,
        callback_url: str | None = None,
        redirect_uri: str | None = None,
        logout_uri: str | None = None,
        *,
        login_redirect_uri: str | None = None,
        logout_redirect_uri: str | None = None,
        config: WebSettings | None = None,
        engine: AuthEngine | None = None,
        **options: Any,
    ) -> None:
        self.app = app
        if engine is None:
            if config is None:
                values = {k: v for k, v in options.items() if k.startswith("KEYCLOAK_")}
                rest = {k: v for k, v in options.items() if not k.startswith("KEYCLOAK_")}
                if not callback_url and not values.get("KEYCLOAK_CALLBACK_URL"):
                    callback_url = _KEYCLOAK_CLIENT_CALLBACK_URL
                compatible = keycloak_client_options(
                    callback_url,
                    redirect_uri,
                    logout_uri,
                    login_redirect_uri=login_redirect_uri,
                    logout_redirect_uri=logout_redirect_uri,
                )
                config = WebSettings.from_mapping(values, **compatible, **rest)
            engine = AuthEngine(config)
        engine.require_public_url()
        self.engine = engine
        self._cookie_name = engine.config.cookie_name.encode("latin-1")

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Close the engine's pooled connections to Keycloak when the server shuts down."""

        async def receive_and_close_on_shutdown() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self.engine.gateway.aclose()
            return message

        await self.app(scope, receive_and_close_on_shutdown, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket":
                await self._websocket(scope, receive, send)
            elif kind == "lifespan":
                await self._lifespan(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        engine = self.engine
        kind = engine.route_kinds[scope["path"]]
        if kind is _PUBLIC:
            # ASGI servers send header names lower-cased (Starlette reads them so too).
            name = self._cookie_name
            for header, value in scope["headers"]:
                if header == b"cookie" and name in value:
                    break  # the session cookie (maybe `__Host-`): its user is attached below
            else:
                # Nothing to check and nothing to attach: no `WebRequest`, no engine. This is
                # `_attach(scope, None)` written out: the one step every public request takes.
                scope[IDENTITY_KEY] = None
                scope["user"] = _ANONYMOUS
                scope["auth"] = _NO_CREDENTIALS
                if "session" in scope:
                    _forget_user(scope)
                await self.app(scope, receive, send)
                return
        elif kind is _API:
            cookie, authorization = _cookie_and_authorization(scope)
            if authorization is not None and cookie is None:
                # The common API call: one bearer header, no cookie. Answered without a
                # `WebRequest` or the engine's driver when no I/O is needed (every check runs).
                quick = engine.bearer_now(
                    scope["method"], scope["path"], authorization, _query(scope)
                )
                if quick is not None:
                    await self._proceed(scope, receive, send, quick)
                    return
        request = asgi_request(scope)
        replay: list[Message] = []

        async def read_body(limit: int) -> bytes:
            body = b""
            while len(body) < limit:
                message = await receive()
                replay.append(message)
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
            return body[:limit]

        outcome = await self.engine.handle(request, read_body)

        async def replaying_receive() -> Message:
            return replay.pop(0) if replay else await receive()

        await self._proceed(scope, replaying_receive if replay else receive, send, outcome)

    async def _proceed(
        self, scope: Scope, receive: Receive, send: Send, outcome: WebResponse | Proceed
    ) -> None:
        if isinstance(outcome, WebResponse):
            if outcome.logged_out:
                _forget_user(scope)
            await send_response(outcome, send)
            return
        identity = outcome.identity
        _attach(scope, identity)
        if "session" in scope:
            _sync_session(scope, outcome)
        if identity is None or identity.source == "session":
            await self.app(scope, receive, send)
            return

        # RFC 6750 §3.1: a bearer caller refused for its token's scope (Starlette's
        # `@requires` answers a bare 403) learns why in the challenge.
        async def send_with_challenge(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 403:
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"www-authenticate" for name, _ in headers):
                    challenge = bearer_challenge(
                        self.engine.realm,
                        error="insufficient_scope",
                        description="the token lacks a required role or scope",
                    ).encode("latin-1")
                    headers.append((b"www-authenticate", challenge))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_challenge)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = asgi_request(scope)
        try:
            identity = await identify(self.engine, request)
        except (KeycloakError, SessionStoreError):  # unavailable, not refused: try later
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": _WS_TRY_AGAIN_LATER})
            return
        path = str(scope.get("path", "/"))
        public = self.engine.config.rules.classify(path).value == "public"
        # A cookie rides along on a WebSocket from any page (no SameSite for the handshake's
        # origin): a session-authenticated socket must come from this app's own pages.
        foreign = (
            identity is not None
            and identity.source == "session"
            and not self.engine.same_origin(request)
        )
        if foreign or (identity is None and not public):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": _WS_POLICY_VIOLATION})
            return
        _attach(scope, identity)
        await self.app(scope, receive, send)


def _cookie_and_authorization(scope: Scope) -> tuple[str | None, str | None]:
    """The Cookie header (several joined as HTTP/2 sends them) and the one Authorization
    header; None for Authorization when it is absent or repeated (`handle` answers 400)."""
    cookie: bytes | None = None
    authorization: bytes | None = None
    repeated = False
    for name, value in scope["headers"]:  # lower-cased names (ASGI)
        if name == b"cookie":
            cookie = value if cookie is None else cookie + b"; " + value
        elif name == b"authorization":
            repeated = authorization is not None
            authorization = value
    return (
        None if cookie is None else cookie.decode("latin-1"),
        None if authorization is None or repeated else authorization.decode("latin-1"),
    )


def _query(scope: Scope) -> str:
    raw: bytes = scope.get("query_string", b"")
    return raw.decode("latin-1") if raw else ""


def _sync_session(scope: Scope, outcome: Proceed) -> None:
    """keycloak-client's `request.session["user"]` (with Starlette's SessionMiddleware)."""
    session = scope.get("session")
    if not isinstance(session, dict):
        return
    if outcome.user is not None:
        value = json.dumps(dict(outcome.user), sort_keys=True)
        if session.get("user") != value:
            session["user"] = value
            session[_SESSION_MARK] = True
    elif outcome.identity is None:
        _forget_user(scope)


def _forget_user(scope: Scope) -> None:
    session = scope.get("session")
    if isinstance(session, dict) and session.pop(_SESSION_MARK, None):
        session.pop("user", None)
        session.pop("tokens", None)


async def identify(engine: AuthEngine, request: WebRequest) -> Identity | None:
    """The caller by bearer token if one is sent, else by browser session."""
    header = request.headers.get("authorization")
    if header:
        token = engine.bearer_token(header)
        return None if isinstance(token, WebResponse) else await engine.identify_bearer(token)
    return await engine.session_identity(request)


class KeycloakAuthBackend(AuthenticationBackend):
    """For `starlette.middleware.authentication.AuthenticationMiddleware`.

    Bearer tokens and browser sessions (from the same engine) are both recognised; a bearer
    token that fails validation raises `AuthenticationError` (Starlette answers 400 unless
    an `on_error` handler is given).
    """

    def __init__(self, engine: AuthEngine) -> None:
        self.engine = engine

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        request = asgi_request(conn.scope)
        identity = await identify(self.engine, request)
        if identity is None:
            if request.headers.get("authorization"):
                raise AuthenticationError("invalid bearer token")
            return None
        conn.scope[IDENTITY_KEY] = identity
        return credentials_for(identity), KeycloakUser(identity)


def engine_from(
    settings: ClientSettings | None = None,
    *,
    secret_key: str | None = None,
    public_paths: tuple[str, ...] = (),
    api_paths: tuple[str, ...] = (),
    **options: Any,
) -> AuthEngine:
    """An engine from explicit settings (or KEYCLOAK_* env / keycloak.json when omitted)."""
    if settings is None:
        config = WebSettings.from_mapping(
            {"KEYCLOAK_PUBLIC_PATHS": public_paths, "KEYCLOAK_API_PATHS": api_paths},
            secret_key=secret_key,
            **options,
        )
    else:
        import secrets

        config = WebSettings.build(
            settings,
            secret_key or secrets.token_urlsafe(32),
            public_paths=public_paths,
            api_paths=api_paths,
            **options,
        )
    return AuthEngine(config)


def login_url(engine: AuthEngine, next_path: str = "/") -> str:
    return f"{engine.config.login_path}?next={quote(next_path, safe='/')}"
