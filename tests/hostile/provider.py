"""A hostile OIDC/UMA provider on 127.0.0.1, for proving what the SDK refuses.

It is a small threaded `http.server` speaking the parts of Keycloak's protocol the SDK uses
(discovery, JWKS, authorization redirect, token, userinfo) for realm `sdk-test` and client
`sdk-confidential`, so the example applications run against it unchanged. By default every
answer is correct; each test makes it wrong in exactly one way through `provider.faults` and
the forging helpers, and counts the requests the SDK makes (`provider.count(...)`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from keycloak_sdk.extensions.jose import public_key_to_jwk, sign_jwt

REALM = "sdk-test"
CLIENT_ID = "sdk-confidential"
CLIENT_SECRET = "sdk-confidential-secret"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"

Claims = dict[str, Any]
# Turns the valid claims of an ID token into the compact token the provider hands out.
IdTokenMaker = Callable[["HostileProvider", Claims], str]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def left_hash(value: str) -> str:
    """OIDC `at_hash` for RS256: base64url of the left half of SHA-256."""
    return b64url(hashlib.sha256(value.encode("ascii")).digest()[:16])


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Faults:
    """The one thing the provider gets wrong (everything is right by default)."""

    discovery_issuer: str | None = None
    iss_parameter_supported: bool = True
    # The `iss` on the authorization redirect: None = the right one, "" = omitted.
    redirect_iss: str | None = None
    id_token: IdTokenMaker | None = None
    refresh_id_token: IdTokenMaker | None = None
    userinfo_sub: str | None = None
    jwks_cache_control: str = "no-cache"
    # Seconds to sleep before answering the token endpoint (slow-server tests).
    token_delay: float = 0.0
    # Lifetime of issued access tokens (short ones make the web session refresh at once).
    expires_in: int = 300
    # The refresh grant answers with tokens of this subject instead of the session's.
    refresh_subject: str | None = None
    # The token endpoint's `token_type`.
    token_type: str = "Bearer"
    # Userinfo answers `application/jwt`: these claims, signed with the provider's key.
    signed_userinfo: Claims | None = None


@dataclass
class _Grant:
    nonce: str | None
    code_challenge: str | None
    subject: str


@dataclass
class HostileProvider:
    """Start with `with HostileProvider.running() as provider:`."""

    signing_key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    kid: str = "hostile-rs256"
    subject: str = "alice-sub"
    faults: Faults = field(default_factory=Faults)
    jwks_keys: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    requests: Counter[str] = field(default_factory=Counter)
    closing: threading.Event = field(default_factory=threading.Event)
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.jwks_keys:
            self.jwks_keys = [self.public_jwk(self.signing_key, self.kid)]

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[HostileProvider]:
        provider = cls()
        server = _Server(("127.0.0.1", 0), _handler_for(provider))
        provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, name="hostile-provider")
        thread.daemon = True
        thread.start()
        try:
            yield provider
        finally:
            # Like a server process that dies: no new connections, open ones cut, and every
            # handler thread gone before we return.
            provider.closing.set()
            server.shutdown()
            server.cut_connections()
            server.server_close()
            thread.join(5)

    def reset(self) -> None:
        """Back to a correct provider with the original key; counters cleared."""
        with self._lock:
            self.faults = Faults()
            self.jwks_keys = [self.public_jwk(self.signing_key, self.kid)]
            self.requests.clear()
            self._grants.clear()

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM}"

    def count(self, endpoint: str) -> int:
        with self._lock:
            return self.requests[endpoint]

    # -- keys and tokens -------------------------------------------------------------------

    @staticmethod
    def public_jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str) -> dict[str, str]:
        jwk = public_key_to_jwk(key.public_key(), kid=kid)
        jwk["use"] = "sig"
        return jwk

    def rotate(self) -> str:
        """Replace the signing key (and the JWKS) with a new one; returns the new kid."""
        key = new_rsa_key()
        kid = f"rotated-{secrets.token_hex(4)}"
        with self._lock:
            self.signing_key, self.kid = key, kid
            self.jwks_keys = [self.public_jwk(key, kid)]
        return kid

    def sign(
        self,
        claims: Mapping[str, object],
        *,
        kid: str | bool | None = True,
        headers: Mapping[str, object] | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        """RS256 with the provider's key; `kid=True` names the current kid, None omits it."""
        name = self.kid if kid is True else (kid if isinstance(kid, str) else None)
        if claims.get("typ") == "Logout":
            headers = {"typ": "logout+jwt", **(headers or {})}  # as Keycloak 25+ does
        return sign_jwt(claims, key or self.signing_key, alg="RS256", kid=name, headers=headers)

    def base_claims(self, typ: str, subject: str | None = None) -> Claims:
        now = int(time.time())
        return {
            "iss": self.issuer,
            "sub": subject or self.subject,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            "typ": typ,
            "azp": CLIENT_ID,
            "sid": "session-1",
        }

    def access_claims(self, subject: str | None = None, username: str = "alice") -> Claims:
        claims = self.base_claims("Bearer", subject)
        claims.update(
            aud=["sdk-api", "account"],
            scope="openid profile email",
            preferred_username=username,
            realm_access={"roles": ["user"]},
        )
        return claims

    def access_token(self, subject: str | None = None, username: str = "alice") -> str:
        return self.sign(self.access_claims(subject, username))

    def id_claims(
        self,
        nonce: str | None,
        access_token: str | None,
        subject: str | None = None,
        username: str = "alice",
    ) -> Claims:
        claims = self.base_claims("ID", subject)
        claims.update(aud=CLIENT_ID, preferred_username=username, email=f"{username}@example.com")
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["at_hash"] = left_hash(access_token)
        return claims

    def logout_claims(self) -> Claims:
        claims = self.base_claims("Logout")
        claims.update(aud=CLIENT_ID, events={LOGOUT_EVENT: {}})
        del claims["azp"]
        return claims

    # -- protocol --------------------------------------------------------------------------

    def discovery(self) -> dict[str, object]:
        oidc = f"{self.issuer}/protocol/openid-connect"
        return {
            "issuer": self.faults.discovery_issuer or self.issuer,
            "authorization_endpoint": f"{oidc}/auth",
            "token_endpoint": f"{oidc}/token",
            "userinfo_endpoint": f"{oidc}/userinfo",
            "jwks_uri": f"{oidc}/certs",
            "end_session_endpoint": f"{oidc}/logout",
            "introspection_endpoint": f"{oidc}/token/introspect",
            "revocation_endpoint": f"{oidc}/revoke",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "authorization_response_iss_parameter_supported": (self.faults.iss_parameter_supported),
        }

    def authorize(self, query: Mapping[str, str]) -> str:
        """The redirect back to the client after an instant, silent login."""
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._grants[code] = _Grant(
                query.get("nonce"), query.get("code_challenge"), self.subject
            )
        back = {"code": code, "state": query.get("state", "")}
        iss = self.faults.redirect_iss
        if iss is None:
            back["iss"] = self.issuer
        elif iss:
            back["iss"] = iss
        return f"{query.get('redirect_uri', '')}?{urlencode(back)}"

    def token(self, form: Mapping[str, str]) -> tuple[int, dict[str, object]]:
        if self.faults.token_delay:
            self.closing.wait(self.faults.token_delay)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self._lock:
                grant = self._grants.pop(form.get("code", ""), None)
            if grant is None:
                return 400, {"error": "invalid_grant", "error_description": "unknown code"}
            verifier = form.get("code_verifier", "")
            challenge = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
            if grant.code_challenge != challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE failed"}
            return 200, self._token_set(grant.nonce, self.faults.id_token, grant.subject)
        if grant_type == "refresh_token":
            subject = self.faults.refresh_subject or self.subject
            return 200, self._token_set(None, self.faults.refresh_id_token, subject)
        if grant_type == "password":
            subject = f"{form.get('username', 'alice')}-sub"
            return 200, self._token_set(None, None, subject)
        if grant_type == "client_credentials":
            return 200, self._token_set(None, None, "service-account-sub", id_token=False)
        return 400, {"error": "unsupported_grant_type"}

    def _token_set(
        self, nonce: str | None, maker: IdTokenMaker | None, subject: str, *, id_token: bool = True
    ) -> dict[str, object]:
        username = subject.removesuffix("-sub")
        access = self.access_token(subject, username)
        body: dict[str, object] = {
            "access_token": access,
            "token_type": self.faults.token_type,
            "expires_in": self.faults.expires_in,
            "refresh_token": f"refresh-{secrets.token_hex(8)}",
            "refresh_expires_in": 1800,
            "scope": "openid profile email",
        }
        if id_token:
            claims = self.id_claims(nonce, access, subject, username)
            body["id_token"] = (maker or _valid_id_token)(self, claims)
        return body

    def userinfo(self) -> dict[str, object]:  # for the one user the tests log in as
        return {
            "sub": self.faults.userinfo_sub or self.subject,
            "preferred_username": "alice",
            "email": "alice@example.com",
        }

    def jwks(self) -> dict[str, object]:
        with self._lock:
            return {"keys": list(self.jwks_keys)}


class _Server(ThreadingHTTPServer):
    """Tracks its connections so that stopping it cuts them (keep-alive ones included)."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._live: set[socket.socket] = set()
        self._live_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._live_lock:
            self._live.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._live_lock:
            self._live.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._live_lock:
            live = list(self._live)
        for connection in live:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _valid_id_token(provider: HostileProvider, claims: Claims) -> str:
    return provider.sign(claims)


def _handler_for(provider: HostileProvider) -> type[BaseHTTPRequestHandler]:
    prefix = f"/realms/{REALM}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self, endpoint: str) -> None:
            with provider._lock:
                provider.requests[endpoint] += 1

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "application/json",
            headers: Mapping[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(
            self, status: int, data: object, headers: Mapping[str, str] | None = None
        ) -> None:
            self._send(status, json.dumps(data).encode("utf-8"), headers=headers)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path.removeprefix(prefix)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if path == "/.well-known/openid-configuration":
                self._record("discovery")
                self._json(200, provider.discovery())
            elif path == "/protocol/openid-connect/certs":
                self._record("jwks")
                cache = {"Cache-Control": provider.faults.jwks_cache_control}
                self._json(200, provider.jwks(), cache)
            elif path == "/protocol/openid-connect/auth":
                self._record("authorize")
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/protocol/openid-connect/userinfo":
                self._record("userinfo")
                signed = provider.faults.signed_userinfo
                if signed is None:
                    self._json(200, provider.userinfo())
                else:
                    self._send(200, provider.sign(signed).encode("ascii"), "application/jwt")
            else:
                self._record("unknown")
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8", "replace")
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            path = urlsplit(self.path).path.removeprefix(prefix)
            if path == "/protocol/openid-connect/token":
                self._record("token")
                status, body = provider.token(form)
                self._json(status, body, {"Cache-Control": "no-store"})
            elif path == "/protocol/openid-connect/token/introspect":
                self._record("introspect")
                self._json(200, {"active": False})
            else:
                self._record("unknown")
                self._json(404, {"error": "not_found"})

    return Handler
