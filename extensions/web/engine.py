"""The framework-agnostic request handler behind every integration.

Adapters turn their framework's request into a `WebRequest`, await `AuthEngine.handle`, and
either send the returned `WebResponse` or call the application with the `Proceed` identity.
Nothing here raises on bad client input: every such case becomes a 4xx response.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, quote, urlsplit

from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.dpop import (
    DPoPVerifier,
    InvalidDPoPProofError,
    check_token_binding,
)
from keycloak_sdk.extensions.errors import ConfigurationError, KeycloakError, LoginError
from keycloak_sdk.extensions.login import DEFAULT_MAX_LOGIN_AGE, LoginTransaction
from keycloak_sdk.extensions.tokens import TokenSet
from keycloak_sdk.extensions.web import steps
from keycloak_sdk.extensions.web._gateway import KeycloakGateway, SyncKeycloakGateway
from keycloak_sdk.extensions.web.challenge import bearer_challenge, uma_challenge
from keycloak_sdk.extensions.web.cookies import cookie_value
from keycloak_sdk.extensions.web.enforcer import PolicyEnforcer
from keycloak_sdk.extensions.web.errors import InvalidBearerTokenError, WebAuthError
from keycloak_sdk.extensions.web.identity import Identity
from keycloak_sdk.extensions.web.paths import PathMemo, RouteKind
from keycloak_sdk.extensions.web.redirects import safe_return_to
from keycloak_sdk.extensions.web.sealing import CookieSealer
from keycloak_sdk.extensions.web.sessions import (
    SessionRecord,
    SessionStoreError,
    SessionTicket,
    StoredTokens,
    SyncSessionStore,
)
from keycloak_sdk.extensions.web.settings import WebSettings
from keycloak_sdk.extensions.web.steps import (
    AsyncTargets,
    Finished,
    Steps,
    SyncTargets,
    run_async,
    run_sync,
    start,
)

logger = logging.getLogger("keycloak_sdk.web")

_MAX_QUERY_FIELDS = 32
_BEARER_HITS_SIZE = 4096
_MAX_LOGOUT_BODY = 64 * 1024
# Read on every request by the fast paths: a module name is found faster than an enum member.
_PUBLIC, _API = RouteKind.PUBLIC, RouteKind.API
# A pending login lives as long as the callback accepts it, in its own short-lived cookie.
_PENDING_LOGIN_AGE = DEFAULT_MAX_LOGIN_AGE
# Logins started in other tabs and not finished yet, kept in that cookie (oldest dropped).
MAX_PENDING_LOGINS = 3
_MAX_LOGIN_COOKIE = 3800  # sealed length; browsers keep cookies up to 4096 bytes
# ID-token claims that describe the login, not the user: left out of `session["user"]`.
_PROTOCOL_CLAIMS = frozenset(
    {
        "iss",
        "aud",
        "exp",
        "iat",
        "nbf",
        "auth_time",
        "nonce",
        "azp",
        "at_hash",
        "c_hash",
        "sid",
        "session_state",
        "typ",
        "jti",
        "acr",
        "amr",
    }
)
# Characters left as they are when a path or URL with non-ASCII text goes into `Location`
# (RFC 3987 §3.1: an IRI becomes a URI by percent-encoding the rest as UTF-8).
_URI_SAFE = "/#%[]=:;$&()+,!?*@'~"

BodyReader = Callable[[int], Awaitable[bytes]]
T = TypeVar("T")


@dataclass(frozen=True)
class WebRequest:
    """What the engine needs of a request. Header names are lower-case."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    scheme: str = "http"
    host: str = "localhost"
    # The framework's own parse of the Cookie header (None: the engine parses it).
    cookies: Mapping[str, str] | None = None
    # (field name, token) of the framework's CSRF protection, for the logout form (Django).
    csrf_field: tuple[str, str] | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        """From the Host header: never used to build a URL (only to check a DPoP proof of a
        bearer-only app that configures no public URL)."""
        return f"{self.scheme}://{self.host}"

    def cookie(self, name: str) -> str | None:
        return cookie_value(self.cookies, self.headers.get("cookie"), name)


@dataclass
class WebResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # The browser session ended here: adapters drop the user from the framework's session.
    logged_out: bool = False

    @classmethod
    def text(cls, status: int, message: str, *extra: tuple[str, str]) -> WebResponse:
        headers = [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")]
        return cls(status, [*headers, *extra], message.encode("utf-8"))

    @classmethod
    def json(cls, status: int, body: object, *extra: tuple[str, str]) -> WebResponse:
        headers = [("content-type", "application/json"), ("cache-control", "no-store")]
        return cls(status, [*headers, *extra], json.dumps(body).encode("utf-8"))

    @classmethod
    def redirect(
        cls,
        location: str,
        *extra: tuple[str, str],
        status: int = 302,
        logged_out: bool = False,
    ) -> WebResponse:
        location = quote(location, safe=_URI_SAFE)  # a header value is ASCII (RFC 9110 §5.5)
        headers = [("location", location), ("cache-control", "no-store"), *extra]
        return cls(status, headers, logged_out=logged_out)


@dataclass(frozen=True)
class Proceed:
    """Let the application handle the request, as `identity` (None on public routes)."""

    identity: Identity | None
    kind: RouteKind
    # What the login's ID token says about the user (for the keycloak-client style
    # `session["user"]`), on browser-session requests only.
    user: Mapping[str, object] | None = None

    def __init__(
        self,
        identity: Identity | None,
        kind: RouteKind,
        user: Mapping[str, object] | None = None,
    ) -> None:
        # One per request: straight into the instance dict (see `Identity.__init__`).
        fields = self.__dict__
        fields["identity"] = identity
        fields["kind"] = kind
        fields["user"] = user


Outcome = WebResponse | Proceed


class AuthEngine:
    def __init__(self, config: WebSettings, gateway: KeycloakGateway | None = None) -> None:
        config.validate()
        self.config = config
        self.gateway = gateway or KeycloakGateway(config.settings)
        if config.enforcer is None and (config.enforcer_paths or config.enforcer_lazy_load):
            config.enforcer = PolicyEnforcer(
                self.gateway,
                paths=config.enforcer_paths,
                mode=config.enforcement_mode,
                lazy_load=config.enforcer_lazy_load,
                method_scopes=config.enforcer_method_scopes,
            )
        self._sealer = CookieSealer(config.secret_key)
        self._sync_gateway: SyncKeycloakGateway | None = None
        self._dpop: DPoPVerifier | None = None  # made on the first DPoP request
        self._login_sealer = CookieSealer(config.secret_key, purpose="keycloak-sdk.login")
        self.realm = config.settings.realm
        self._client_id = self.gateway.client_id
        # Every Keycloak round trip of one request together stays within this: a Keycloak
        # that accepts connections but never answers costs the visitor a 503, never a hang.
        self.deadline = config.keycloak_deadline or 2 * config.settings.timeout + 1
        # Authorization header -> (until when the verified-token cache answers for its token,
        # its Proceed, the gateway whose cache that is, the audience it was checked against):
        # `bearer_now` answers a repeated token with one lookup.
        self._bearer_hits: dict[str, tuple[float, Proceed, object, object]] = {}
        self._engine_paths = frozenset(
            (
                config.callback_path,
                config.login_path,
                config.logout_path,
                config.backchannel_logout_path,
            )
        )
        # path -> its kind (None: one of the engine's own paths), for the adapters' fast paths.
        self.route_kinds: PathMemo[RouteKind | None] = PathMemo(self._route_kind)
        self._landing_path = (
            urlsplit(safe_return_to(config.post_logout_redirect)).path
            if config.public_logout_landing
            else None
        )

    # -- entry point -----------------------------------------------------------------------

    async def handle(self, request: WebRequest, read_body: BodyReader) -> Outcome:
        """Asynchronously (ASGI): Keycloak and the store are awaited on the running loop."""
        steps = self._dispatch(request)
        # What needs no I/O (a repeated bearer token) is answered right here; the deadline
        # and the driver start with the first call to Keycloak or the store.
        begun = start(steps, self.gateway)
        if isinstance(begun, Finished):
            done: Outcome = begun.value
            return done
        try:
            async with asyncio.timeout(self.deadline):
                return await run_async(steps, self._async_targets(read_body), begun)
        except TimeoutError:
            logger.warning("Keycloak did not answer within %.1f s", self.deadline)
            return self.unavailable()

    def handle_sync(self, request: WebRequest, body: bytes = b"") -> Outcome:
        """Synchronously (WSGI, Django), in the calling thread: the blocking gateway and
        store, each Keycloak round trip cut to what is left of the request's deadline."""
        return self._drive_sync(self._dispatch(request), body)

    def _drive_sync(self, steps: Steps[T], body: bytes = b"") -> T:
        gateway = self.sync_gateway
        begun = start(steps, gateway)
        if isinstance(begun, Finished):
            done: T = begun.value
            return done
        with gateway.deadline(self.deadline):
            return run_sync(steps, self._sync_targets(body), begun)

    async def _drive_async(self, steps: Steps[T]) -> T:
        begun = start(steps, self.gateway)
        if isinstance(begun, Finished):
            done: T = begun.value
            return done
        return await run_async(steps, self._async_targets(), begun)

    def _async_targets(self, read_body: BodyReader | None = None) -> AsyncTargets:
        return AsyncTargets(self.gateway, self.config.session_store, read_body or _no_body)

    def _sync_targets(self, body: bytes = b"") -> SyncTargets:
        return SyncTargets(self.sync_gateway, self.sync_store, lambda limit: body[:limit])

    @property
    def sync_gateway(self) -> SyncKeycloakGateway:
        """Made on first synchronous use (in the worker, after any fork)."""
        gateway = self._sync_gateway
        if gateway is None:
            gateway = self._sync_gateway = SyncKeycloakGateway(self.config.settings)
        return gateway

    @property
    def sync_store(self) -> SyncSessionStore:
        store = self.config.session_store
        blocking = getattr(store, "blocking", None)
        if blocking is None:
            raise TypeError(
                f"{type(store).__name__} has no blocking form (a `blocking` attribute): "
                "WSGI and Django apps need one"
            )
        return cast("SyncSessionStore", blocking)

    def passes_untouched(self, path: str, cookie_header: str | None) -> bool:
        """A public path without this app's session cookie: nothing to check, nothing to
        attach. Adapters let such requests through without building a `WebRequest` (and, on
        WSGI, without the hop to the engine's event loop)."""
        if cookie_header and self.config.cookie_name in cookie_header:
            return False
        return self.route_kinds[path] is _PUBLIC

    def _route_kind(self, path: str) -> RouteKind | None:
        return None if path in self._engine_paths else self.config.rules.classify(path)

    def bearer_now(
        self,
        method: str,
        path: str,
        authorization: str,
        query_string: str = "",
        *,
        blocking: bool = False,
    ) -> Outcome | None:
        """A bearer request answered without a `WebRequest` and without any I/O, for
        adapters that see one `Authorization: Bearer` header and no cookie on a path: what
        `handle` answers (every token check, the enforcer), or None when the request is not
        of that kind or needs I/O (a key or a resource to fetch): then `handle` it (WSGI
        and Django, `blocking`: `handle_sync`, with the blocking gateway's keys and cache)."""
        if self.route_kinds[path] is not _API:
            return None
        config = self.config
        limit = config.max_header_bytes
        if len(query_string) > limit:
            return None  # `handle` says it is too large
        gateway = self.sync_gateway if blocking else self.gateway
        hit = self._bearer_hits.get(authorization)
        if (
            hit is not None
            and hit[2] is gateway
            and hit[3] is config.audience
            and gateway.clock() < hit[0]
        ):
            # The verified-token cache still answers for this token (its entry's expiry, the
            # audience checked against this same setting): what `_bearer_now` would answer,
            # without its parsing and lookups.
            proceed = hit[1]
        else:
            answer = self._bearer_now(gateway, authorization)
            if not isinstance(answer, Proceed):
                return answer
            proceed = answer
        enforcer = config.enforcer
        if enforcer is not None:
            decided = enforcer.unmapped(path)
            if decided is None:
                return None  # a mapped resource: `handle` runs the enforcer's steps
            if not decided.allowed:
                return self.insufficient(proceed.identity)
        return proceed

    def _bearer_now(
        self, gateway: KeycloakGateway | SyncKeycloakGateway, authorization: str
    ) -> Outcome | None:
        config = self.config
        if len(authorization) > config.max_header_bytes:
            return None  # `handle` says it is too large
        if authorization[:7].lower() != "bearer " or config.bearer_validation == "introspection":
            return None  # DPoP (the proof and the URL), introspection (a call to Keycloak)
        token = self.bearer_token(authorization)
        if isinstance(token, WebResponse):
            return token
        try:
            claims = gateway.validate_access_token_now(token, audience=config.audience)
        except InvalidBearerTokenError as exc:
            return self.bearer_error(401, "invalid_token", f"the access token is not valid: {exc}")
        if claims is None:
            return None  # the signing key must be fetched first
        identity = self._bearer_identity(claims, token)
        if isinstance(identity, str):
            return self.bearer_error(401, "invalid_token", identity)
        proceed = Proceed(identity, _API)
        until = gateway.cached_until(token)
        if until is not None:  # None: no verified-token cache, so every request checks again
            hits = self._bearer_hits
            if len(hits) >= _BEARER_HITS_SIZE:
                hits.clear()  # bounded; only ever costs a validation from the cache
            hits[authorization] = (until, proceed, gateway, config.audience)
        return proceed

    @staticmethod
    def unavailable() -> WebResponse:
        # 503 + Retry-After: the app itself is fine; retrying later will work.
        return WebResponse.text(503, "The identity provider is not available", ("retry-after", "5"))

    def _dispatch(self, request: WebRequest) -> Steps[Outcome]:
        config = self.config
        path = request.path
        kind = config.rules.classify(path)
        if kind is RouteKind.BROWSER and path == self._landing_path:
            kind = RouteKind.PUBLIC  # where logout ends: shown without starting a new login
        too_big = self._oversize(request)
        if too_big is not None:
            if kind is RouteKind.API:
                return self.bearer_error(400, "invalid_request", too_big)
            return WebResponse.text(431, too_big)
        try:
            if path == config.backchannel_logout_path:
                if request.method != "POST":
                    return WebResponse.text(405, "Method Not Allowed", ("allow", "POST"))
                return (yield from self._backchannel_logout())
            if path == config.callback_path:
                if request.method not in ("GET", "HEAD"):
                    return WebResponse.text(405, "Method Not Allowed", ("allow", "GET"))
                return (yield from self._callback(request))
            if path == config.login_path and kind is not RouteKind.API:
                return (yield from self._start_login(request, self._next_param(request)))
            if path == config.logout_path:
                return (yield from self._logout(request))
            if kind is RouteKind.API:
                return (yield from self._bearer(request))
            try:
                session = yield from self._session(request)
            except SessionStoreError:
                if kind is not RouteKind.PUBLIC:
                    raise
                session = None  # a public page needs no session: shown as to a visitor
            identity, user = session if session is not None else (None, None)
            if kind is RouteKind.PUBLIC or identity is not None:
                return Proceed(identity, kind, user)
            if request.method in ("GET", "HEAD"):
                target = path + (f"?{request.query_string}" if request.query_string else "")
                return (yield from self._start_login(request, target))
            return WebResponse.text(401, "Login required")
        except KeycloakError as exc:
            # Keycloak unreachable or misbehaving: the client did nothing wrong.
            logger.warning("Keycloak call failed: %s", exc)
            return self.unavailable()
        except SessionStoreError as exc:
            # Never a silent logout: the session may well exist, it cannot be read now.
            logger.error("session store unavailable: %s", exc)
            return WebResponse.text(
                503, "Sessions are temporarily unavailable", ("retry-after", "5")
            )

    def _oversize(self, request: WebRequest) -> str | None:
        limit = self.config.max_header_bytes
        for name in ("authorization", "cookie"):
            if len(request.headers.get(name, "")) > limit:
                return f"the {name} header is too large"
        if len(request.query_string) > limit:
            return "the query string is too long"
        return None

    # -- where this app lives ----------------------------------------------------------------

    def require_public_url(self) -> None:
        """The start-up check of every adapter that runs browser login (the middlewares):
        absolute URLs (the redirect URI, the logout landing, the Origin a logout POST must
        carry) come from configuration only. From the Host header, a forged
        `Host: evil.example` would send Keycloak's codes and the visitors there. Not needed
        when every path is a bearer API (`api_paths=["/*"]`)."""
        config = self.config
        if config.public_origin is None and not any(p in ("*", "/*") for p in config.rules.api):
            raise ConfigurationError(
                "public_url",
                "browser login needs where browsers reach this app: set public_url "
                "(KEYCLOAK_PUBLIC_URL, e.g. https://app.example.com) or callback_url "
                "(KEYCLOAK_CALLBACK_URL); the Host header is never used",
            )

    def public_origin(self, request: WebRequest) -> str:
        """`scheme://host[:port]` of this app, from the configuration only (public_url, else
        the callback URL), never from the Host header. Empty for a bearer-only app, which
        configures neither (`require_public_url` makes the middlewares insist on one)."""
        return self.config.public_origin or ""

    def redirect_uri(self, request: WebRequest) -> str:
        origin = self.config.public_origin
        if self.config.callback_url:
            return self.config.callback_url
        if origin is None:
            # Only without a middleware's start-up check (a view alone): never the Host header.
            raise ConfigurationError("public_url", "browser login needs public_url or callback_url")
        return f"{origin}{self.config.callback_path}"

    def same_origin(self, request: WebRequest) -> bool:
        """Whether a state-changing request comes from this app's own pages.

        `Origin` (sent by browsers on every POST and WebSocket) must be this app's origin;
        without it, `Sec-Fetch-Site` must not name another site. A client sending neither is
        no browser, and a browser is what cross-site request forgery needs.
        """
        origin = request.headers.get("origin")
        if origin is not None:
            if not self.config.public_origin:
                return False  # nothing configured to compare with: no browser is expected
            return hmac.compare_digest(
                origin.strip().lower().encode(), self.public_origin(request).lower().encode()
            )
        return request.headers.get("sec-fetch-site") in (None, "same-origin", "none")

    # -- browser login ---------------------------------------------------------------------

    def _next_param(self, request: WebRequest) -> str:
        values = _query(request.query_string).get("next", [])
        return values[0] if len(values) == 1 else self.config.default_redirect

    def _start_login(self, request: WebRequest, return_to: str) -> Steps[WebResponse]:
        # Nothing is stored server-side for a visitor who is not logged in: the pending login
        # travels in its own sealed cookie, so anonymous traffic costs no memory and can evict
        # no one. Other tabs' pending logins stay in it (a few, the oldest dropped).
        pending = self._pending_logins(request)
        transaction = yield from steps.gateway("begin_login", self.redirect_uri(request))
        safe = safe_return_to(return_to, self.config.default_redirect)
        pending.append({"t": transaction.to_dict(), "r": safe})
        cookie = self._login_cookie(request, pending[-MAX_PENDING_LOGINS:])
        return WebResponse.redirect(transaction.authorization_url, cookie)

    def _callback(self, request: WebRequest) -> Steps[WebResponse]:
        query = _query(request.query_string)
        if query is None:
            return WebResponse.text(400, "Malformed query string")
        duplicated = [k for k in ("state", "code", "iss", "error") if len(query.get(k, [])) > 1]
        if duplicated:
            return WebResponse.text(400, f"Duplicate parameter: {duplicated[0]}")
        single = {k: v[0] for k, v in query.items() if len(v) == 1}
        state = single.get("state")
        if not state:
            return WebResponse.text(400, "Missing state")
        pending = self._pending_logins(request)
        found = next((p for p in pending if hmac.compare_digest(str(p["t"]["state"]), state)), None)
        if found is None:
            return WebResponse.text(400, "Unknown or expired login; start again")
        # The state is single-use: the login leaves the cookie whatever happens next.
        rest = self._login_cookie(request, [p for p in pending if p is not found])
        if not single.get("code") and not single.get("error"):
            return WebResponse.text(400, "Missing code", rest)
        try:
            transaction = LoginTransaction.from_dict(found["t"])
            tokens, id_claims = yield from steps.gateway("complete_login", transaction, single)
        except LoginError as exc:
            logger.info("login refused: %s", exc)
            return WebResponse.text(400, "Login failed; start again", rest)
        except KeycloakError as exc:
            logger.warning("Keycloak call failed: %s", exc)
            unavailable = self.unavailable()
            unavailable.headers.append(rest)
            return unavailable
        # Session fixation: a session id is only ever issued after the login, fresh.
        old = self._ticket(request)
        if old is not None:
            yield from steps.store("delete", old)
        ticket = SessionTicket.new()
        fresh = SessionRecord(
            expires_at=time.time() + self.config.session_max_age,
            tokens=_stored(tokens),
            sid=id_claims.sid,
            sub=id_claims.sub,
            user={k: v for k, v in id_claims.raw.items() if k not in _PROTOCOL_CLAIMS},
        )
        yield from steps.store("put", ticket, fresh)
        return WebResponse.redirect(str(found["r"]), self._set_cookie(request, ticket), rest)

    def _pending_logins(self, request: WebRequest) -> list[dict[str, Any]]:
        sealed = request.cookie(self._cookie_name(request, self.config.login_cookie_name))
        raw = self._login_sealer.unseal(sealed) if sealed else None
        if raw is None:
            return []
        try:
            entries = json.loads(raw)
        except ValueError:
            return []
        now = time.time()
        return [
            entry
            for entry in entries
            if isinstance(entry, dict)
            and isinstance(entry.get("t"), dict)
            and isinstance(entry["t"].get("created_at"), int | float)
            and entry["t"]["created_at"] + _PENDING_LOGIN_AGE > now
        ]

    def _login_cookie(self, request: WebRequest, pending: list[dict[str, Any]]) -> tuple[str, str]:
        name = self._cookie_name(request, self.config.login_cookie_name)
        while pending:
            oldest = min(entry["t"]["created_at"] for entry in pending)
            max_age = max(1, round(oldest + _PENDING_LOGIN_AGE - time.time()))
            value = self._login_sealer.seal(
                json.dumps(pending, separators=(",", ":")).encode("utf-8"), max_age=max_age
            )
            if len(value) <= _MAX_LOGIN_COOKIE:
                return ("set-cookie", f"{name}={value}; {self._attributes(request, max_age)}")
            pending = pending[1:]  # too big for a cookie: older tabs give way to the new one
        return ("set-cookie", f"{name}=; {self._attributes(request, 0)}")

    async def session_identity(self, request: WebRequest) -> Identity | None:
        session = await run_async(self._session(request), self._async_targets())
        return None if session is None else session[0]

    def session_identity_sync(self, request: WebRequest) -> Identity | None:
        with self.sync_gateway.deadline(self.deadline):
            session = run_sync(self._session(request), self._sync_targets())
        return None if session is None else session[0]

    def _session(
        self, request: WebRequest
    ) -> Steps[tuple[Identity, Mapping[str, object] | None] | None]:
        ticket, record = yield from self._load(request)
        if ticket is None or record is None or record.tokens is None:
            return None
        tokens = record.tokens
        if tokens.expires_at - self.config.refresh_skew <= time.time():
            refreshed = yield from self._refresh(tokens)
            if refreshed is None:
                yield from steps.store("delete", ticket)
                return None
            record.tokens = tokens = refreshed
            yield from steps.store("put", ticket, record)
        try:
            claims = yield from steps.gateway("validate_access_token", tokens.access_token)
        except InvalidBearerTokenError:
            yield from steps.store("delete", ticket)
            return None
        if record.sub is not None and claims.sub != record.sub:
            # A session belongs to the user who logged in; a refresh answered with someone
            # else's tokens ends it instead of switching users (OIDC Core §12.2).
            logger.warning("session tokens name another subject; the session is ended")
            yield from steps.store("delete", ticket)
            return None
        identity = Identity(
            claims, tokens.access_token, "session", self.gateway.client_id, tokens.id_token
        )
        return identity, record.user

    def _refresh(self, tokens: StoredTokens) -> Steps[StoredTokens | None]:
        if not tokens.refresh_token:
            return None
        if tokens.refresh_expires_at is not None and tokens.refresh_expires_at < time.time():
            return None
        try:
            fresh = yield from steps.gateway("refresh", tokens.refresh_token)
        except LoginError:
            return None  # the Keycloak session ended: log in again
        stored = _stored(fresh)
        if stored.id_token is None:
            stored.id_token = tokens.id_token
        return stored

    def _logout(self, request: WebRequest) -> Steps[Outcome]:
        ticket, record = yield from self._load(request)
        logged_in = ticket is not None and record is not None and record.tokens is not None
        if request.method == "POST":
            if not self.same_origin(request):
                return WebResponse.text(403, "Cross-origin logout refused")
            return (yield from self._end_session(request, ticket, record))
        if not logged_in:
            return Proceed(None, RouteKind.PUBLIC)  # the app's own page, if it has one
        if request.method not in ("GET", "HEAD"):
            return WebResponse.text(405, "Method Not Allowed", ("allow", "GET, POST"))
        # A link (keycloak-client's apps log out with one) is followed from this app's own
        # pages; any other page could only embed it, so it gets a button to confirm with.
        if request.headers.get("sec-fetch-site") in ("same-origin", "none"):
            return (yield from self._end_session(request, ticket, record))
        return self._logout_form(request)

    def _logout_form(self, request: WebRequest) -> WebResponse:
        token = ""
        if request.csrf_field is not None:
            name, value = request.csrf_field
            token = f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        page = (
            '<!doctype html><meta charset="utf-8"><title>Log out</title>'
            f'<form method="post" action="{html.escape(self.config.logout_path)}">{token}'
            '<p>Log out of this application?</p><button type="submit">Log out</button></form>'
        )
        return WebResponse(
            200,
            [
                ("content-type", "text/html; charset=utf-8"),
                ("cache-control", "no-store"),
                ("content-security-policy", "frame-ancestors 'none'"),
                ("x-frame-options", "DENY"),
            ],
            page.encode("utf-8"),
        )

    def _end_session(
        self, request: WebRequest, ticket: SessionTicket | None, record: SessionRecord | None
    ) -> Steps[WebResponse]:
        landing = f"{self.public_origin(request)}{safe_return_to(self.config.post_logout_redirect)}"
        clear = self._clear_cookie(request)
        if ticket is None or record is None or record.tokens is None:
            return WebResponse.redirect(landing, clear, status=303, logged_out=True)
        yield from steps.store("delete", ticket)
        url = yield from steps.gateway(
            "end_session_url",
            id_token_hint=record.tokens.id_token,
            post_logout_redirect_uri=landing,
        )
        return WebResponse.redirect(url, clear, status=303, logged_out=True)

    def _backchannel_logout(self) -> Steps[WebResponse]:
        body = yield from steps.body(_MAX_LOGOUT_BODY + 1)
        if len(body) > _MAX_LOGOUT_BODY:
            return WebResponse.json(413, {"error": "invalid_request"})
        try:
            form = parse_qs(body.decode("ascii"), strict_parsing=True, max_num_fields=8)
        except (UnicodeDecodeError, ValueError):
            return WebResponse.json(400, {"error": "invalid_request"})
        tokens = form.get("logout_token", [])
        if len(tokens) != 1:
            return WebResponse.json(400, {"error": "invalid_request"})
        try:
            claims = yield from steps.gateway("validate_logout_token", tokens[0])
        except InvalidBearerTokenError as exc:
            logger.info("back-channel logout refused: %s", exc)
            return WebResponse.json(
                400, {"error": "invalid_request", "error_description": "invalid logout token"}
            )
        try:
            ended = 0
            if claims.sid:
                ended = yield from steps.store("delete_by_sid", claims.sid)
            if claims.sid is None and claims.sub:
                ended = yield from steps.store("delete_by_subject", claims.sub)
        except SessionStoreError as exc:
            # Keycloak retries nothing; a 503 at least shows up in its log and ours.
            logger.error("back-channel logout could not reach the session store: %s", exc)
            return WebResponse.json(503, {"error": "temporarily_unavailable"})
        logger.info("back-channel logout ended %d session(s)", ended)
        return WebResponse(200, [("cache-control", "no-store")])

    # -- bearer ----------------------------------------------------------------------------

    def bearer_error(
        self, status: int, error: str | None = None, description: str | None = None
    ) -> WebResponse:
        challenge = bearer_challenge(self.realm, error=error, description=description)
        body = {"error": error or "unauthorized"}
        if description:
            body["error_description"] = description
        return WebResponse.json(status, body, ("www-authenticate", challenge))

    def insufficient(self, identity: Identity | None, scopes: tuple[str, ...] = ()) -> WebResponse:
        """403 for a failed role/scope guard, RFC 6750 style for bearer callers."""
        if identity is None:
            return self.bearer_error(401)
        if identity.source == "session":
            return WebResponse.text(403, "Forbidden")
        challenge = bearer_challenge(
            self.realm,
            error="insufficient_scope",
            description="the token lacks a required role or scope",
            scopes=scopes,
        )
        return WebResponse.json(
            403, {"error": "insufficient_scope"}, ("www-authenticate", challenge)
        )

    def _bearer(self, request: WebRequest) -> Steps[Outcome]:
        header = request.headers.get("authorization")
        if header and header.partition(" ")[0].lower() == "dpop":
            dpop = yield from self._dpop_identity(request, header)
            if isinstance(dpop, str):
                challenge = f'DPoP realm="{self.realm}", error="invalid_dpop_proof"'
                body = {"error": "invalid_dpop_proof", "error_description": dpop}
                return WebResponse.json(401, body, ("www-authenticate", challenge))
            identity: Identity | str = dpop
        else:
            token_or_error = self.bearer_token(header)
            if isinstance(token_or_error, WebResponse):
                return token_or_error
            identity = yield from self._check_bearer(token_or_error)
        if isinstance(identity, str):
            return self.bearer_error(401, "invalid_token", identity)
        enforcer = self.config.enforcer
        if enforcer is not None:
            result = yield from enforcer.check_steps(request.method, request.path, identity.claims)
            if not result.allowed:
                if result.ticket is None:
                    return self.insufficient(identity)
                as_uri = self.gateway.issuer
                challenge = uma_challenge(self.realm, as_uri, result.ticket)
                return WebResponse.json(
                    401, {"error": "uma_permission_required"}, ("www-authenticate", challenge)
                )
        return Proceed(identity, RouteKind.API)

    def _dpop_identity(self, request: WebRequest, header: str) -> Steps[Identity | str]:
        """`Authorization: DPoP <token>` with a `DPoP` proof (RFC 9449 section 7): the token
        is validated as usual, must be bound, and the proof must be for this request and
        made with the token's key."""
        token = header.partition(" ")[2].strip()
        if not token or " " in token:
            return "malformed Authorization header"
        try:
            claims = yield from steps.gateway(
                "validate_access_token", token, audience=self.config.audience
            )
        except InvalidBearerTokenError as exc:
            return f"the access token is not valid: {exc}"
        if self._dpop is None:
            self._dpop = DPoPVerifier()
        try:
            jkt = check_token_binding(claims.raw, "DPoP")
            if jkt is None:
                return "the access token is not DPoP-bound"
            self._dpop.verify(
                request.headers.get("dpop"),
                method=request.method,
                # The configured origin; the Host header only for a bearer-only app that
                # configures none (the proof is checked against it, nothing is built from it).
                url=(self.config.public_origin or request.origin) + request.path,
                access_token=token,
                token_jkt=jkt,
            )
        except InvalidDPoPProofError as exc:
            return exc.reason
        return Identity(claims, token, "bearer", self.gateway.client_id)

    def bearer_token(self, header: str | None) -> str | WebResponse:
        if not header:
            return self.bearer_error(401)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return self.bearer_error(401)
        token = token.strip()
        # Two Authorization headers arrive joined by a comma (WSGI servers, our ASGI adapter):
        # a token never holds one, so that is a malformed request, not a choice to make.
        if not token or " " in token or "," in token:
            return self.bearer_error(400, "invalid_request", "malformed Authorization header")
        return token

    async def identify_bearer(self, token: str) -> Identity | None:
        """Validate a bearer token (locally or by introspection); None when it is not valid."""
        identity = await self.check_bearer(token)
        return None if isinstance(identity, str) else identity

    def identify_bearer_sync(self, token: str) -> Identity | None:
        identity = self.check_bearer_sync(token)
        return None if isinstance(identity, str) else identity

    async def check_bearer(self, token: str) -> Identity | str:
        """The token's identity, or why it was refused: an RFC 6750 `error_description` that
        names the failed check (never the token, a key or the configuration)."""
        return await self._drive_async(self._check_bearer(token))

    def check_bearer_sync(self, token: str) -> Identity | str:
        return self._drive_sync(self._check_bearer(token))

    async def check_dpop(self, request: WebRequest, header: str) -> Identity | str:
        """`Authorization: DPoP` with its proof, checked as the middleware does: the identity,
        or why it was refused."""
        return await self._drive_async(self._dpop_identity(request, header))

    def check_dpop_sync(self, request: WebRequest, header: str) -> Identity | str:
        return self._drive_sync(self._dpop_identity(request, header))

    def _check_bearer(self, token: str) -> Steps[Identity | str]:
        if self.config.bearer_validation == "introspection":
            result = yield from steps.gateway("introspect", token)
            if not result.active:
                return "the access token is not active"
            claims = AccessTokenClaims(result.to_dict())
            if _dpop_bound(claims):
                return "the access token is DPoP-bound: send it with the DPoP scheme and a proof"
            return Identity(claims, token, "introspection", self.gateway.client_id)
        try:
            claims = yield from steps.gateway(
                "validate_access_token", token, audience=self.config.audience
            )
        except InvalidBearerTokenError as exc:
            return f"the access token is not valid: {exc}"
        return self._bearer_identity(claims, token)

    def _bearer_identity(self, claims: AccessTokenClaims, token: str) -> Identity | str:
        if _dpop_bound(claims):
            # RFC 9449 7.1: a DPoP-bound token sent as a Bearer token proves nothing.
            return "the access token is DPoP-bound: send it with the DPoP scheme and a proof"
        return Identity(claims, token, "bearer", self._client_id)

    # -- cookies ---------------------------------------------------------------------------

    def _ticket(self, request: WebRequest) -> SessionTicket | None:
        sealed = request.cookie(self._cookie_name(request, self.config.cookie_name))
        raw = self._sealer.unseal(sealed) if sealed else None
        return None if raw is None else SessionTicket.decode(raw)

    def _load(
        self, request: WebRequest
    ) -> Steps[tuple[SessionTicket | None, SessionRecord | None]]:
        ticket = self._ticket(request)
        if ticket is None:
            return None, None
        record: SessionRecord | None = yield from steps.store("get", ticket)
        return ticket, record

    def _secure(self, request: WebRequest) -> bool:
        secure = self.config.cookie_secure
        return request.scheme == "https" if secure is None else secure

    def _cookie_name(self, request: WebRequest, name: str) -> str:
        # `__Host-`: the browser accepts the cookie only from this host, over HTTPS, for the
        # whole site; another app on a sibling subdomain cannot plant or overwrite it.
        return f"__Host-{name}" if self._secure(request) else name

    def _attributes(self, request: WebRequest, max_age: int) -> str:
        attributes = f"Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
        return attributes + "; Secure" if self._secure(request) else attributes

    def _set_cookie(self, request: WebRequest, ticket: SessionTicket) -> tuple[str, str]:
        max_age = int(self.config.session_max_age)
        value = self._sealer.seal(ticket.encode(), max_age=max_age)
        name = self._cookie_name(request, self.config.cookie_name)
        return ("set-cookie", f"{name}={value}; {self._attributes(request, max_age)}")

    def _clear_cookie(self, request: WebRequest) -> tuple[str, str]:
        name = self._cookie_name(request, self.config.cookie_name)
        return ("set-cookie", f"{name}=; {self._attributes(request, 0)}")


async def _no_body(limit: int) -> bytes:
    return b""


def _dpop_bound(claims: AccessTokenClaims) -> bool:
    if claims.get("typ") == "DPoP":
        return True
    cnf = claims.get("cnf")  # usually absent: no ABC instance check then
    return cnf is not None and isinstance(cnf, Mapping) and "jkt" in cnf


def _query(query_string: str) -> dict[str, list[str]]:
    try:
        return parse_qs(query_string, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS)
    except ValueError:
        return {}


def _stored(tokens: TokenSet) -> StoredTokens:
    return StoredTokens(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        id_token=tokens.id_token,
        expires_at=tokens.expires_at or time.time() + 60,
        refresh_expires_at=tokens.refresh_expires_at,
    )


__all__ = [
    "AuthEngine",
    "BodyReader",
    "Outcome",
    "Proceed",
    "WebAuthError",
    "WebRequest",
    "WebResponse",
]
