"""JWT client authentication: client_secret_jwt and private_key_jwt (RFC 7523 §2.2, OIDC §9).

Each request gets a fresh assertion with iss = sub = client_id, aud = the issuer (or, when
no audience is configured, the endpoint being called), a random `jti` (Keycloak rejects
replays) and a short lifetime. Both classes implement `keycloak_sdk.auth.ClientAuthentication`.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from keycloak_sdk.extensions.errors import ConfigurationError

# cryptography loads when a key is read or an assertion signed, not when this module is imported.
if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from keycloak_sdk.extensions.jose.sign import SigningKey

    from keycloak_sdk.auth import FormData

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_LIFETIME = 60


class _JwtAssertionAuth:
    _alg: str
    _kid: str | None = None

    def __init__(
        self,
        client_id: str,
        *,
        audience: str | None,
        lifetime: int,
        clock: Callable[[], float],
    ) -> None:
        if not client_id:
            raise ConfigurationError("client_id", "must not be empty")
        if not 0 < lifetime <= 600:
            raise ConfigurationError("assertion lifetime", "must be between 1 and 600 seconds")
        self._client_id = client_id
        self._audience = audience
        self._lifetime = lifetime
        self._clock = clock

    @property
    def client_id(self) -> str:
        return self._client_id

    def _key(self) -> SigningKey:
        raise NotImplementedError

    def assertion(self, audience: str) -> str:
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(24),
            "iat": now,
            "exp": now + self._lifetime,
        }
        from keycloak_sdk.extensions.jose.sign import sign_jwt

        return sign_jwt(claims, self._key(), alg=self._alg, kid=self._kid)

    def apply(self, endpoint_url: str, form: FormData, headers: dict[str, str]) -> None:
        form["client_id"] = self.client_id
        form["client_assertion_type"] = ASSERTION_TYPE
        form["client_assertion"] = self.assertion(self._audience or endpoint_url)


class ClientSecretJwt(_JwtAssertionAuth):
    """An HMAC-signed assertion keyed with the client secret (default HS256)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        audience: str | None = None,
        alg: str = "HS256",
        lifetime: int = DEFAULT_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if alg not in ("HS256", "HS384", "HS512"):
            raise ConfigurationError("alg", "client_secret_jwt signs with HS256, HS384 or HS512")
        if not client_secret:
            raise ConfigurationError("client_secret", "required for client_secret_jwt")
        super().__init__(client_id, audience=audience, lifetime=lifetime, clock=clock)
        self._secret = client_secret.encode("utf-8")
        self._alg = alg

    def _key(self) -> SigningKey:
        return self._secret

    def __repr__(self) -> str:
        return f"ClientSecretJwt(client_id={self.client_id!r}, alg={self._alg!r})"


class PrivateKeyJwt(_JwtAssertionAuth):
    """An assertion signed with the client's private key (default RS256)."""

    def __init__(
        self,
        client_id: str,
        private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
        *,
        audience: str | None = None,
        kid: str | None = None,
        alg: str | None = None,
        lifetime: int = DEFAULT_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client_id, audience=audience, lifetime=lifetime, clock=clock)
        self._private_key = private_key
        self._kid = kid
        self._alg = alg or _default_alg(private_key)

    @classmethod
    def from_pem_file(
        cls,
        client_id: str,
        path: str | Path,
        *,
        audience: str | None = None,
        kid: str | None = None,
        alg: str | None = None,
        password: bytes | None = None,
    ) -> PrivateKeyJwt:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigurationError("private_key_file", f"cannot read: {exc.strerror}") from None
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        try:
            key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError):
            raise ConfigurationError("private_key_file", "is not a PEM private key") from None
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ConfigurationError("private_key_file", "must hold an RSA or EC private key")
        return cls(client_id, key, audience=audience, kid=kid, alg=alg)

    def _key(self) -> SigningKey:
        return self._private_key

    def __repr__(self) -> str:
        return f"PrivateKeyJwt(client_id={self.client_id!r}, alg={self._alg!r}, kid={self._kid!r})"


def _default_alg(key: object) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}[key.curve.name]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    raise ConfigurationError("private_key", "unsupported key type")
