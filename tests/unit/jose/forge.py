"""Keys, clocks and token forgery shared by the JOSE unit tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk
from keycloak_sdk.extensions.jose.jwks import (
    AsyncJwksCache,
    JwksCache,
    JwksFetchResult,
    JwksResponse,
)
from keycloak_sdk.extensions.jose.sign import SigningKey, sign_jwt
from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator

ISSUER = "http://127.0.0.1:8080/realms/sdk-test"
CLIENT_ID = "sdk-confidential"
API = "sdk-api"
NOW = 1_800_000_000


@cache
def rsa_key(name: str = "main", bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@cache
def ec_key(name: str = "main", curve: str = "P-256") -> ec.EllipticCurvePrivateKey:
    curves: dict[str, ec.EllipticCurve] = {
        "P-256": ec.SECP256R1(),
        "P-384": ec.SECP384R1(),
        "P-521": ec.SECP521R1(),
    }
    return ec.generate_private_key(curves[curve])


@cache
def ed_key(name: str = "main") -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64_json(value: object) -> str:
    return b64(json.dumps(value).encode())


@dataclass
class Clock:
    """A settable clock for validators (epoch seconds) and caches (monotonic seconds)."""

    now: float = NOW

    def __call__(self) -> float:
        return self.now


def access_claims(**overrides: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "exp": NOW + 300,
        "iat": NOW,
        "jti": "jti-1",
        "iss": ISSUER,
        "aud": [API, "account"],
        "sub": "user-1",
        "typ": "Bearer",
        "azp": CLIENT_ID,
        "scope": "openid email profile",
        "realm_access": {"roles": ["user"]},
        "resource_access": {CLIENT_ID: {"roles": ["reader"]}},
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def id_claims(**overrides: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "exp": NOW + 300,
        "iat": NOW,
        "auth_time": NOW - 10,
        "jti": "jti-id",
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "user-1",
        "typ": "ID",
        "azp": CLIENT_ID,
        "nonce": "n-0S6_WzA2Mj",
        "email": "alice@example.com",
        "name": "Alice Liddell",
        "preferred_username": "alice",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def logout_claims(**overrides: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "exp": NOW + 300,
        "iat": NOW,
        "jti": "logout-1",
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "user-1",
        "sid": "session-1",
        "typ": "Logout",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def sign(
    claims: Mapping[str, object],
    key: SigningKey | None = None,
    *,
    alg: str = "RS256",
    kid: str | None = "rsa-1",
    headers: Mapping[str, object] | None = None,
) -> str:
    if claims.get("typ") == "Logout" and headers is None:
        headers = {"typ": "logout+jwt"}  # as Keycloak 25+ types its logout tokens
    return sign_jwt(
        claims, key if key is not None else rsa_key(), alg=alg, kid=kid, headers=headers
    )


def forge(header: Mapping[str, object], claims: Mapping[str, object], signature: bytes) -> str:
    """A token with any header, any payload and any signature bytes."""
    return f"{b64_json(header)}.{b64_json(claims)}.{b64(signature)}"


def sign_raw_payload(payload: bytes, *, kid: str = "rsa-1") -> str:
    """An RS256 token, correctly signed, whose payload bytes are anything at all."""
    header = b64_json({"alg": "RS256", "kid": kid})
    signing_input = f"{header}.{b64(payload)}"
    signature = rsa_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def default_jwks() -> dict[str, object]:
    return {
        "keys": [
            public_key_to_jwk(rsa_key().public_key(), kid="rsa-1", alg="RS256"),
            public_key_to_jwk(ec_key().public_key(), kid="ec-1", alg="ES256"),
            public_key_to_jwk(ed_key().public_key(), kid="ed-1"),
        ]
    }


@dataclass
class CountingFetch:
    """A JWKS endpoint stand-in that counts calls and can be told to fail."""

    document: dict[str, object] = field(default_factory=default_jwks)
    cache_control: str | None = None
    fail: bool = False
    calls: int = 0

    def __call__(self) -> JwksFetchResult:
        self.calls += 1
        if self.fail:
            raise ConnectionError("JWKS endpoint down")
        return JwksResponse(json.dumps(self.document).encode(), self.cache_control)

    async def fetch_async(self) -> JwksFetchResult:
        return self()


def validator(
    clock: Clock | None = None, fetch: CountingFetch | None = None, **options: object
) -> TokenValidator:
    clock = clock or Clock()
    jwks = JwksCache(fetch or CountingFetch(), clock=clock)
    settings: dict[str, object] = {"audience": API}
    settings.update(options)
    return TokenValidator(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        jwks=jwks,
        clock=clock,
        **settings,  # type: ignore[arg-type]
    )


def async_validator(
    clock: Clock | None = None, fetch: CountingFetch | None = None, **options: object
) -> AsyncTokenValidator:
    clock = clock or Clock()
    jwks = AsyncJwksCache((fetch or CountingFetch()).fetch_async, clock=clock)
    settings: dict[str, object] = {"audience": API}
    settings.update(options)
    return AsyncTokenValidator(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        jwks=jwks,
        clock=clock,
        **settings,  # type: ignore[arg-type]
    )
