"""The framework-agnostic request handler behind every integration.

Adapters turn their framework's request into a `WebRequest`, await `AuthEngine.handle`, and
either send the returned `WebResponse` or call the application with the `Proceed` identity.
Nothing here raises on bad client input: every such case becomes a 4xx response.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.dpop import (
    DPoPVerifier,
    InvalidDPoPProofError,
    check_token_binding,
)
from keycloak_sdk.extensions.errors import KeycloakError, LoginError
from keycloak_sdk.extensions.login import LoginTransaction
from keycloak_sdk.extensions.tokens import TokenSet
from keycloak_sdk.extensions.web._sdk import KeycloakGateway
from keycloak_sdk.extensions.web.challenge import bearer_challenge, uma_challenge
from keycloak_sdk.extensions.web.config import WebAuthConfig
from keycloak_sdk.extensions.web.enforcer import PolicyEnforcer
from keycloak_sdk.extensions.web.errors import InvalidBearerTokenError, WebAuthError
from keycloak_sdk.extensions.web.identity import Identity
from keycloak_sdk.extensions.web.paths import RouteKind
from keycloak_sdk.extensions.web.redirects import safe_return_to
from keycloak_sdk.extensions.web.sealing import CookieSealer
from keycloak_sdk.extensions.web.sessions import (
    PendingLogin,
    SessionRecord,
    StoredTokens,
    new_session_id,
)

logger = logging.getLogger("keycloak_sdk.web")

_MAX_QUERY_FIELDS = 32
_MAX_LOGOUT_BODY = 64 * 1024
_PENDING_LOGIN_AGE = 600.0

BodyReader = Callable[[int], Awaitable[bytes]]


@dataclass(frozen=True)
class WebRequest:
    """What the engine needs of a request. Header names are lower-case."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    scheme: str = "http"
    host: str = "localhost"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}"

    def cookie(self, name: str) -> str | None:
        raw = self.headers.get("cookie")
        if not raw:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except CookieError:
            return None
        morsel = jar.get(name)
        return morsel.value if morsel is not None else None


@dataclass
class WebResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def text(cls, status: int, message: str, *extra: tuple[str, str]) -> WebResponse:
        headers = [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")]
        return cls(status, [*headers, *extra], message.encode("utf-8"))

    @classmethod
    def json(cls, status: int, body: object, *extra: tuple[str, str]) -> WebResponse:
        headers = [("content-type", "application/json"), ("cache-control", "no-store")]
        return cls(status, [*headers, *extra], json.dumps(body).encode("utf-8"))

    @classmethod
    def redirect(cls, location: str, *extra: tuple[str, str], status: int = 302) -> WebResponse:
        return cls(status, [("location", location), ("cache-control", "no-store"), *extra])


@dataclass(frozen=True)
class Proceed:
    """Let the application handle the request, as `identity` (None on public routes)."""

    identity: Identity | None
    kind: RouteKind


Outcome = WebResponse | Proceed


class AuthEngine:
    def __init__(self, config: WebAuthConfig, gateway: KeycloakGateway | None = None) -> None:
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
        self._dpop: DPoPVerifier | None = None  # made on the first DPoP request
        self.realm = config.settings.realm

    # -- entry point -----------------------------------------------------------------------

    async def handle(self, request: WebRequest, read_body: BodyReader) -> Outcome:
        config = self.config
        path = request.path
        kind = config.rules.classify(path)
        too_big = self._oversize(request)
        if too_big is not None:
            if kind is RouteKind.API:
                return self.bearer_error(400, "invalid_request", too_big)
            return WebResponse.text(431, too_big)
        try:
            if path == config.backchannel_logout_path:
                if request.method != "POST":
                    return WebResponse.text(405, "Method Not Allowed", ("allow", "POST"))
                return await self._backchannel_logout(read_body)
            if path == config.callback_path:
                if request.method not in ("GET", "HEAD"):
                    return WebResponse.text(405, "Method Not Allowed", ("allow", "GET"))
                return await self._callback(request)
            if path == config.login_path and kind is not RouteKind.API:
                return await self._start_login(request, self._next_param(request))
            if path == config.logout_path:
                return await self._logout(request)
            if kind is RouteKind.API:
                return await self._bearer(request)
            identity = await self.session_identity(request)
            if kind is RouteKind.PUBLIC or identity is not None:
                return Proceed(identity, kind)
            if request.method in ("GET", "HEAD"):
                target = path + (f"?{request.query_string}" if request.query_string else "")
                return await self._start_login(request, target)
            return WebResponse.text(401, "Login required")
        except KeycloakError as exc:
            # Keycloak unreachable or misbehaving: the client did nothing wrong.
            logger.warning("Keycloak call failed: %s", exc)
            # 503 + Retry-After: the app itself is fine; retrying later will work.
            return WebResponse.text(
                503, "The identity provider is not available", ("retry-after", "5")
            )

    def _oversize(self, request: WebRequest) -> str | None:
        limit = self.config.max_header_bytes
        for name in ("authorization", "cookie"):
            if len(request.headers.get(name, "")) > limit:
                return f"the {name} header is too large"
        if len(request.query_string) > limit:
            return "the query string is too long"
        return None

    # -- browser login ---------------------------------------------------------------------

    def _next_param(self, request: WebRequest) -> str:
        values = _query(request.query_string).get("next", [])
        return values[0] if len(values) == 1 else self.config.default_redirect

    def redirect_uri(self, request: WebRequest) -> str:
        return self.config.callback_url or f"{request.origin}{self.config.callback_path}"

    async def _start_login(self, request: WebRequest, return_to: str) -> WebResponse:
        session_id, record = self._load(request)
        if record is None or session_id is None:
            session_id = new_session_id()
            record = SessionRecord(expires_at=time.time() + _PENDING_LOGIN_AGE)
        transaction = await self.gateway.begin_login(self.redirect_uri(request))
        safe = safe_return_to(return_to, self.config.default_redirect)
        record.add_pending(transaction.state, PendingLogin(transaction.to_dict(), safe))
        self.config.session_store.put(session_id, record)
        url = transaction.authorization_url
        return WebResponse.redirect(url, self._set_cookie(request, session_id))

    async def _callback(self, request: WebRequest) -> WebResponse:
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
        session_id, record = self._load(request)
        pending = record.pending.pop(state, None) if record is not None else None
        if record is None or session_id is None or pending is None:
            return WebResponse.text(400, "Unknown or expired login; start again")
        self.config.session_store.put(session_id, record)  # the state is single-use
        if not single.get("code") and not single.get("error"):
            return WebResponse.text(400, "Missing code")
        try:
            transaction = LoginTransaction.from_dict(pending.transaction)
            tokens, id_claims = await self.gateway.complete_login(transaction, single)
        except LoginError as exc:
            logger.info("login refused: %s", exc)
            return WebResponse.text(400, "Login failed; start again")
        # Session fixation: the pre-login id is dropped and a fresh one issued.
        self.config.session_store.delete(session_id)
        new_id = new_session_id()
        fresh = SessionRecord(
            expires_at=time.time() + self.config.session_max_age,
            tokens=_stored(tokens),
            sid=id_claims.sid,
            sub=id_claims.sub,
        )
        self.config.session_store.put(new_id, fresh)
        return WebResponse.redirect(pending.return_to, self._set_cookie(request, new_id))

    async def session_identity(self, request: WebRequest) -> Identity | None:
        session_id, record = self._load(request)
        if session_id is None or record is None or record.tokens is None:
            return None
        tokens = record.tokens
        if tokens.expires_at - self.config.refresh_skew <= time.time():
            refreshed = await self._refresh(tokens)
            if refreshed is None:
                self.config.session_store.delete(session_id)
                return None
            record.tokens = tokens = refreshed
            self.config.session_store.put(session_id, record)
        try:
            claims = await self.gateway.validate_access_token(tokens.access_token)
        except InvalidBearerTokenError:
            self.config.session_store.delete(session_id)
            return None
        if record.sub is not None and claims.sub != record.sub:
            # A session belongs to the user who logged in; a refresh answered with someone
            # else's tokens ends it instead of switching users (OIDC Core §12.2).
            logger.warning("session tokens name another subject; the session is ended")
            self.config.session_store.delete(session_id)
            return None
        return Identity(
            claims, tokens.access_token, "session", self.gateway.client_id, tokens.id_token
        )

    async def _refresh(self, tokens: StoredTokens) -> StoredTokens | None:
        if not tokens.refresh_token:
            return None
        if tokens.refresh_expires_at is not None and tokens.refresh_expires_at < time.time():
            return None
        try:
            fresh = await self.gateway.refresh(tokens.refresh_token)
        except LoginError:
            return None  # the Keycloak session ended: log in again
        stored = _stored(fresh)
        if stored.id_token is None:
            stored.id_token = tokens.id_token
        return stored

    async def _logout(self, request: WebRequest) -> Outcome:
        session_id, record = self._load(request)
        logged_in = record is not None and record.tokens is not None
        if request.method != "POST":
            if logged_in:  # logout by GET would let any page log the user out
                return WebResponse.text(405, "Use POST to log out", ("allow", "POST"))
            return Proceed(None, RouteKind.PUBLIC)
        landing = f"{request.origin}{safe_return_to(self.config.post_logout_redirect)}"
        clear = self._clear_cookie(request)
        if session_id is None or record is None or record.tokens is None:
            return WebResponse.redirect(landing, clear, status=303)
        self.config.session_store.delete(session_id)
        url = await self.gateway.end_session_url(
            id_token_hint=record.tokens.id_token, post_logout_redirect_uri=landing
        )
        return WebResponse.redirect(url, clear, status=303)

    async def _backchannel_logout(self, read_body: BodyReader) -> WebResponse:
        body = await read_body(_MAX_LOGOUT_BODY + 1)
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
            claims = await self.gateway.validate_logout_token(tokens[0])
        except InvalidBearerTokenError as exc:
            logger.info("back-channel logout refused: %s", exc)
            return WebResponse.json(
                400, {"error": "invalid_request", "error_description": "invalid logout token"}
            )
        store = self.config.session_store
        ended = store.delete_by_sid(claims.sid) if claims.sid else 0
        if claims.sid is None and claims.sub:
            ended = store.delete_by_subject(claims.sub)
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

    async def _bearer(self, request: WebRequest) -> Outcome:
        header = request.headers.get("authorization")
        if header and header.partition(" ")[0].lower() == "dpop":
            dpop = await self._dpop_identity(request, header)
            if isinstance(dpop, str):
                challenge = f'DPoP realm="{self.realm}", error="invalid_dpop_proof"'
                body = {"error": "invalid_dpop_proof", "error_description": dpop}
                return WebResponse.json(401, body, ("www-authenticate", challenge))
            identity: Identity | str = dpop
        else:
            token_or_error = self.bearer_token(header)
            if isinstance(token_or_error, WebResponse):
                return token_or_error
            identity = await self.check_bearer(token_or_error)
        if isinstance(identity, str):
            return self.bearer_error(401, "invalid_token", identity)
        enforcer = self.config.enforcer
        if enforcer is not None:
            result = await enforcer.check(request.method, request.path, identity.claims)
            if not result.allowed:
                if result.ticket is None:
                    return self.insufficient(identity)
                as_uri = self.gateway.issuer
                challenge = uma_challenge(self.realm, as_uri, result.ticket)
                return WebResponse.json(
                    401, {"error": "uma_permission_required"}, ("www-authenticate", challenge)
                )
        return Proceed(identity, RouteKind.API)

    async def _dpop_identity(self, request: WebRequest, header: str) -> Identity | str:
        """`Authorization: DPoP <token>` with a `DPoP` proof (RFC 9449 section 7): the token
        is validated as usual, must be bound, and the proof must be for this request and
        made with the token's key."""
        token = header.partition(" ")[2].strip()
        if not token or " " in token:
            return "malformed Authorization header"
        try:
            claims = await self.gateway.validate_access_token(token, audience=self.config.audience)
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
                url=request.origin + request.path,
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
        if not token or " " in token:
            return self.bearer_error(400, "invalid_request", "malformed Authorization header")
        return token

    async def identify_bearer(self, token: str) -> Identity | None:
        """Validate a bearer token (locally or by introspection); None when it is not valid."""
        identity = await self.check_bearer(token)
        return None if isinstance(identity, str) else identity

    async def check_bearer(self, token: str) -> Identity | str:
        """The token's identity, or why it was refused: an RFC 6750 `error_description` that
        names the failed check (never the token, a key or the configuration)."""
        if self.config.bearer_validation == "introspection":
            result = await self.gateway.introspect(token)
            if not result.active:
                return "the access token is not active"
            claims = AccessTokenClaims(result.to_dict())
            if _dpop_bound(claims):
                return "the access token is DPoP-bound: send it with the DPoP scheme and a proof"
            return Identity(claims, token, "introspection", self.gateway.client_id)
        try:
            claims = await self.gateway.validate_access_token(token, audience=self.config.audience)
        except InvalidBearerTokenError as exc:
            return f"the access token is not valid: {exc}"
        if _dpop_bound(claims):
            # RFC 9449 7.1: a DPoP-bound token sent as a Bearer token proves nothing.
            return "the access token is DPoP-bound: send it with the DPoP scheme and a proof"
        return Identity(claims, token, "bearer", self.gateway.client_id)

    # -- cookies ---------------------------------------------------------------------------

    def _load(self, request: WebRequest) -> tuple[str | None, SessionRecord | None]:
        sealed = request.cookie(self.config.cookie_name)
        if not sealed:
            return None, None
        raw = self._sealer.unseal(sealed)
        if raw is None:
            return None, None
        session_id = raw.decode("ascii", "replace")
        return session_id, self.config.session_store.get(session_id)

    def _secure(self, request: WebRequest) -> bool:
        secure = self.config.cookie_secure
        return request.scheme == "https" if secure is None else secure

    def _set_cookie(self, request: WebRequest, session_id: str) -> tuple[str, str]:
        max_age = int(self.config.session_max_age)
        value = self._sealer.seal(session_id.encode("ascii"), max_age=max_age)
        attributes = f"Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
        if self._secure(request):
            attributes += "; Secure"
        return ("set-cookie", f"{self.config.cookie_name}={value}; {attributes}")

    def _clear_cookie(self, request: WebRequest) -> tuple[str, str]:
        attributes = "Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        if self._secure(request):
            attributes += "; Secure"
        return ("set-cookie", f"{self.config.cookie_name}=; {attributes}")


def _dpop_bound(claims: AccessTokenClaims) -> bool:
    cnf = claims.raw.get("cnf")
    return claims.raw.get("typ") == "DPoP" or (isinstance(cnf, Mapping) and "jkt" in cnf)


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
