"""Every way the hostile provider can get a token wrong, with the error the SDK must raise.

One table drives the flow clients, the validators and the framework integrations, and
docs/hostile-provider.md lists the same ids (a test checks both agree).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from keycloak_sdk.extensions.jose import sign_jwt
from keycloak_sdk.extensions.jose.errors import (
    InvalidAudienceError,
    InvalidClaimError,
    InvalidIssuerError,
    InvalidNonceError,
    InvalidSignatureError,
    InvalidTokenTypeError,
    KeyNotFoundError,
    MalformedTokenError,
    MissingClaimError,
    TokenExpiredError,
    TokenReplayedError,
    TokenTooLargeError,
    TokenValidationError,
    UnsupportedAlgorithmError,
    UnsupportedHeaderError,
)

from tests.hostile.provider import LOGOUT_EVENT, Claims, HostileProvider, b64url, new_rsa_key

Forge = Callable[[HostileProvider, Claims], str]


@dataclass(frozen=True)
class TokenCase:
    id: str
    forge: Forge
    error: type[TokenValidationError]
    # Does the case apply to access tokens (bearer requests) as well as ID tokens?
    bearer: bool = True


def _with(**changes: Any) -> Forge:
    def forge(provider: HostileProvider, claims: Claims) -> str:
        return provider.sign({**claims, **changes})

    return forge


def _without(name: str) -> Forge:
    def forge(provider: HostileProvider, claims: Claims) -> str:
        return provider.sign({k: v for k, v in claims.items() if k != name})

    return forge


def _without_all(*names: str) -> Forge:
    def forge(provider: HostileProvider, claims: Claims) -> str:
        return provider.sign({k: v for k, v in claims.items() if k not in names})

    return forge


def _header(**members: object) -> Forge:
    def forge(provider: HostileProvider, claims: Claims) -> str:
        return provider.sign(claims, headers=members)

    return forge


def unsigned(header: dict[str, object], claims: Claims, signature: bytes = b"") -> str:
    def encode(data: object) -> str:
        return b64url(json.dumps(data, separators=(",", ":")).encode())

    return f"{encode(header)}.{encode(claims)}.{b64url(signature)}"


def _foreign_signature(provider: HostileProvider, claims: Claims) -> str:
    # Same kid and alg, signed by a key the provider never published.
    return provider.sign(claims, key=_STRANGER)


def _hs256_with_public_key(provider: HostileProvider, claims: Claims) -> str:
    pem = provider.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return sign_jwt(claims, pem, alg="HS256", kid=provider.kid)


def _es256_for_rs256(provider: HostileProvider, claims: Claims) -> str:
    return sign_jwt(claims, ec.generate_private_key(ec.SECP256R1()), alg="ES256", kid=provider.kid)


def _alg_none(provider: HostileProvider, claims: Claims) -> str:
    return unsigned({"alg": "none", "typ": "JWT", "kid": provider.kid}, claims)


def _alg_none_with_signature(provider: HostileProvider, claims: Claims) -> str:
    return unsigned({"alg": "none", "typ": "JWT", "kid": provider.kid}, claims, b"x" * 32)


def _non_base64url(provider: HostileProvider, claims: Claims) -> str:
    header, payload, signature = provider.sign(claims).split(".")
    return f"{header}.{payload[:10]}+/{payload[12:]}.{signature}"


def _padded(provider: HostileProvider, claims: Claims) -> str:
    return provider.sign(claims) + "=="


def _one_megabyte(provider: HostileProvider, claims: Claims) -> str:
    return provider.sign({**claims, "padding": "x" * (1024 * 1024)})


def _no_kid(provider: HostileProvider, claims: Claims) -> str:
    return provider.sign(claims, kid=None)


def _wrong_at_hash(provider: HostileProvider, claims: Claims) -> str:
    return provider.sign({**claims, "at_hash": b64url(b"\x00" * 16)})


_STRANGER = new_rsa_key()

ID_TOKEN_CASES = (
    TokenCase(
        "iss-mismatch", _with(iss="https://evil.example/realms/sdk-test"), InvalidIssuerError
    ),
    TokenCase("aud-mismatch", _with(aud="someone-else", azp="someone-else"), InvalidAudienceError),
    TokenCase("signature-foreign-key", _foreign_signature, InvalidSignatureError),
    TokenCase("hs256-keyed-with-public-key", _hs256_with_public_key, UnsupportedAlgorithmError),
    TokenCase("es256-where-rs256-expected", _es256_for_rs256, UnsupportedAlgorithmError),
    TokenCase("alg-none", _alg_none, MalformedTokenError),
    TokenCase("alg-none-with-signature", _alg_none_with_signature, UnsupportedAlgorithmError),
    TokenCase("missing-sub", _without("sub"), MissingClaimError),
    TokenCase("missing-iat", _without("iat"), MissingClaimError),
    TokenCase("missing-exp", _without("exp"), MissingClaimError),
    # Access tokens need an `aud` too, even when `azp` is this client (only the named option
    # `accept_azp_as_audience`, off by default, lets azp stand in).
    TokenCase("missing-aud", _without("aud"), MissingClaimError),
    TokenCase("expired", _with(exp=1_000_000_000, iat=999_999_000), TokenExpiredError),
    TokenCase("wrong-nonce", _with(nonce="not-the-nonce-we-sent"), InvalidNonceError, False),
    TokenCase("bad-at-hash", _wrong_at_hash, InvalidClaimError, False),
    TokenCase("access-token-typ", _with(typ="Bearer"), InvalidTokenTypeError, False),
    TokenCase("crit-unknown", _header(crit=["urn:example:unknown"]), UnsupportedHeaderError),
    TokenCase("jwk-header", _header(jwk={"kty": "oct", "k": "AAAA"}), UnsupportedHeaderError),
    TokenCase("jku-header", _header(jku="https://evil.example/jwks"), UnsupportedHeaderError),
    TokenCase("x5u-header", _header(x5u="https://evil.example/cert.pem"), UnsupportedHeaderError),
    TokenCase("non-base64url-characters", _non_base64url, MalformedTokenError),
    TokenCase("base64-padding", _padded, MalformedTokenError),
    TokenCase("one-megabyte-token", _one_megabyte, TokenTooLargeError),
)

# A token without `kid` when the JWKS holds several keys that could verify it.
NO_KID = TokenCase("kid-absent-several-keys", _no_kid, KeyNotFoundError)


def _logout_alg_none(provider: HostileProvider, claims: Claims) -> str:
    return unsigned({"alg": "none", "kid": provider.kid}, claims, b"x" * 32)


LOGOUT_TOKEN_CASES = (
    TokenCase("logout-alg-none", _logout_alg_none, UnsupportedAlgorithmError),
    TokenCase(
        "logout-hs256-keyed-with-public-key", _hs256_with_public_key, UnsupportedAlgorithmError
    ),
    TokenCase("logout-es256-where-rs256-expected", _es256_for_rs256, UnsupportedAlgorithmError),
    TokenCase("logout-no-events", _without("events"), MissingClaimError),
    TokenCase("logout-wrong-event", _with(events={"urn:example:other": {}}), InvalidClaimError),
    TokenCase("logout-event-not-object", _with(events={LOGOUT_EVENT: "yes"}), InvalidClaimError),
    TokenCase("logout-with-nonce", _with(nonce="n-0"), InvalidClaimError),
    TokenCase("logout-wrong-aud", _with(aud="someone-else"), InvalidAudienceError),
    TokenCase(
        "logout-wrong-iss", _with(iss="https://evil.example/realms/sdk-test"), InvalidIssuerError
    ),
    TokenCase("logout-no-sid-no-sub", _without_all("sid", "sub"), InvalidClaimError),
    TokenCase("logout-no-jti", _without("jti"), MissingClaimError),
    TokenCase("logout-id-token-typ", _with(typ="ID"), InvalidTokenTypeError),
    # The JOSE header `typ`, when present, must be logout+jwt (Keycloak 24 sends "JWT").
    TokenCase("logout-typ-header-jwt", _header(typ="JWT"), InvalidTokenTypeError),
    TokenCase("logout-typ-header-access", _header(typ="at+jwt"), InvalidTokenTypeError),
)

__all__ = [
    "ID_TOKEN_CASES",
    "LOGOUT_TOKEN_CASES",
    "NO_KID",
    "TokenCase",
    "TokenReplayedError",
    "unsigned",
]
