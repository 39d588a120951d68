"""keycloak-client's two-call login: `url, state = kc.login()` ... `kc.callback(code)`.

`callback(code)` is given nothing but the code, so nothing can be looked up per login: one
module-level client serves many users at once, logins are abandoned, and the callback may
reach another worker. Every login therefore carries what its callback verifies:

- the PKCE verifier is derived from the client's key (the client secret), the same for every
  login of this client: a stolen code cannot be redeemed without that key;
- the nonce is a MAC of its issue time (and the requested `max_age`) under that key: the ID
  token must come from a login this client (any worker with the same secret) started at most
  `DEFAULT_MAX_LOGIN_AGE` ago, and each nonce is accepted once per process;
- `state` is random and returned to the app, which compares it with the one it stored in
  the user's session (keycloak-client's apps do this before calling `callback`).

What only `begin_login`/`complete_login` give: a verifier and nonce unique to the browser
that started the login (a code injected into another user's callback is refused), and the
RFC 9207 `iss` check on the redirect. See docs/flows/login.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import struct
import threading
import time
from dataclasses import replace

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from keycloak_sdk.extensions._core import Flow, oidc
from keycloak_sdk.extensions.errors import ConfigurationError
from keycloak_sdk.extensions.jose.errors import InvalidNonceError
from keycloak_sdk.extensions.login import (
    DEFAULT_MAX_LOGIN_AGE,
    LoginOptions,
    LoginTransaction,
    authorization_params,
    scope_for,
)
from keycloak_sdk.extensions.pkce import b64url, new_random_token
from keycloak_sdk.extensions.settings import ClientSettings

# Stands for "the nonce this client issued" in the transaction `callback(code)` builds; the
# client replaces it with the ID token's own nonce once its MAC is verified.
ISSUED_NONCE = "\x00keycloak-sdk:two-call-nonce"
_CALLBACK_STATE = "two-call"  # the app compared the real state already
_NO_MAX_AGE = 0xFFFFFFFF
_NONCE_LAYOUT = struct.Struct(">dI16s")
_MAC_BYTES = 16
_CLOCK_SKEW = 60.0


class TwoCallLogin:
    """Login transactions that `callback(code)` can verify without any stored state."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        secret = settings.client_secret
        # A public client has no shared secret: its logins complete in this process only.
        raw = secret.encode("utf-8") if secret else secrets.token_bytes(32)
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"keycloak-sdk.two-call-login"
        ).derive(raw)
        self._verifier = b64url(hmac.new(self._key, b"pkce-verifier", hashlib.sha256).digest())
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._redirect_uri: str | None = None

    def __repr__(self) -> str:
        return "TwoCallLogin(<key>)"

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, b"nonce" + body, hashlib.sha256).digest()[:_MAC_BYTES]

    def begin(
        self,
        flows_metadata: Flow[object],
        redirect_uri: str | None,
        options: LoginOptions,
        par: bool,
    ) -> Flow[LoginTransaction]:
        redirect = redirect_uri or self.settings.redirect_uri
        if not redirect:
            raise ConfigurationError(
                "redirect_uri", "needed for login: pass it or set KEYCLOAK_REDIRECT_URI"
            )
        metadata = yield from flows_metadata
        now = time.time()
        max_age = _NO_MAX_AGE if options.max_age is None else options.max_age
        body = _NONCE_LAYOUT.pack(now, max_age, os.urandom(16))
        transaction = LoginTransaction(
            state=new_random_token(),
            nonce=b64url(body + self._mac(body)),
            code_verifier=self._verifier,
            redirect_uri=redirect,
            created_at=now,
            scope=scope_for(self.settings.scopes, options),
            max_age=options.max_age,
        )
        params = authorization_params(transaction, options)
        if par or getattr(metadata, "require_pushed_authorization_requests", None) is True:
            pushed = yield oidc("pushed_authorization", **params)
            url: str = yield oidc("pushed_authorization_url", pushed.request_uri)
        else:
            url = yield oidc("authorization_url", **params)
        self._redirect_uri = redirect
        return replace(transaction, authorization_url=url)

    def callback_transaction(self, redirect_uri: str | None) -> LoginTransaction:
        redirect = redirect_uri or self._redirect_uri or self.settings.redirect_uri
        if not redirect:
            raise ConfigurationError(
                "redirect_uri", "needed for callback: pass the one login() used"
            )
        return LoginTransaction(
            state=_CALLBACK_STATE,
            nonce=ISSUED_NONCE,
            code_verifier=self._verifier,
            redirect_uri=redirect,
            created_at=time.time(),
        )

    def verify_nonce(self, id_token: str) -> tuple[str, int | None]:
        """The ID token's nonce and the login's max_age, once the nonce's MAC is verified.

        The token itself is then validated in full (signature first) with this nonce.
        """
        nonce = _unverified_nonce(id_token)
        try:
            raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        body, mac = raw[: _NONCE_LAYOUT.size], raw[_NONCE_LAYOUT.size :]
        if len(body) != _NONCE_LAYOUT.size or not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidNonceError("nonce", "the nonce was not issued by this client's login()")
        issued, max_age, _ = _NONCE_LAYOUT.unpack(body)
        now = time.time()
        if not issued - _CLOCK_SKEW <= now <= issued + DEFAULT_MAX_LOGIN_AGE + _CLOCK_SKEW:
            raise InvalidNonceError("nonce", "the login was started too long ago")
        with self._lock:
            for old in [n for n, at in self._seen.items() if at < now - 2 * DEFAULT_MAX_LOGIN_AGE]:
                del self._seen[old]
            if nonce in self._seen:
                raise InvalidNonceError("nonce", "this login was completed already")
            self._seen[nonce] = issued
        return nonce, None if max_age == _NO_MAX_AGE else max_age


def _unverified_nonce(id_token: str) -> str:
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        raise InvalidNonceError("nonce", "the ID token cannot be read") from None
    nonce = claims.get("nonce") if isinstance(claims, dict) else None
    if not isinstance(nonce, str) or len(nonce) > 256:
        raise InvalidNonceError("nonce", "the ID token has no nonce")
    return nonce
