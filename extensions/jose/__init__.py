"""Handwritten JOSE for Keycloak tokens: strict JWS parsing, JWKS keys, signing.

Built on `cryptography` only. Token validation itself lives in
`keycloak_sdk.extensions.validation`; this package provides its building blocks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keycloak_sdk.extensions.jose.algorithms import DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS
    from keycloak_sdk.extensions.jose.errors import (
        InvalidAudienceError,
        InvalidClaimError,
        InvalidIssuerError,
        InvalidNonceError,
        InvalidSignatureError,
        InvalidTokenTypeError,
        JwksUnavailableError,
        KeyNotFoundError,
        MalformedTokenError,
        MissingClaimError,
        MissingScopeError,
        TokenExpiredError,
        TokenNotYetValidError,
        TokenReplayedError,
        TokenTooLargeError,
        TokenValidationError,
        UnsupportedAlgorithmError,
        UnsupportedHeaderError,
        UnusableKeyError,
    )
    from keycloak_sdk.extensions.jose.jwk import (
        InvalidJwkError,
        KeySet,
        VerificationKey,
        parse_jwk,
        parse_jwks,
        public_key_to_jwk,
    )
    from keycloak_sdk.extensions.jose.jwks import AsyncJwksCache, JwksCache, JwksResponse
    from keycloak_sdk.extensions.jose.jws import DEFAULT_MAX_TOKEN_BYTES, parse_compact_jws
    from keycloak_sdk.extensions.jose.sign import SigningKey, sign_jwt
    from keycloak_sdk.extensions.jose.stores import (
        AsyncInMemoryReplayStore,
        AsyncReplayStore,
        InMemoryReplayStore,
        ReplayStore,
    )
    from keycloak_sdk.extensions.jose.unverified import UnverifiedJwt, decode_unverified

# Names load on first use: importing a token type or an error does not import cryptography.
_EXPORTS = {
    "DEFAULT_ALGORITHMS": "algorithms",
    "SUPPORTED_ALGORITHMS": "algorithms",
    "MissingScopeError": "errors",
    "InvalidAudienceError": "errors",
    "InvalidClaimError": "errors",
    "InvalidIssuerError": "errors",
    "InvalidNonceError": "errors",
    "InvalidSignatureError": "errors",
    "InvalidTokenTypeError": "errors",
    "JwksUnavailableError": "errors",
    "KeyNotFoundError": "errors",
    "MalformedTokenError": "errors",
    "MissingClaimError": "errors",
    "TokenExpiredError": "errors",
    "TokenNotYetValidError": "errors",
    "TokenReplayedError": "errors",
    "TokenTooLargeError": "errors",
    "TokenValidationError": "errors",
    "UnsupportedAlgorithmError": "errors",
    "UnsupportedHeaderError": "errors",
    "UnusableKeyError": "errors",
    "InvalidJwkError": "jwk",
    "KeySet": "jwk",
    "VerificationKey": "jwk",
    "parse_jwk": "jwk",
    "parse_jwks": "jwk",
    "public_key_to_jwk": "jwk",
    "AsyncJwksCache": "jwks",
    "JwksCache": "jwks",
    "JwksResponse": "jwks",
    "DEFAULT_MAX_TOKEN_BYTES": "jws",
    "parse_compact_jws": "jws",
    "SigningKey": "sign",
    "sign_jwt": "sign",
    "AsyncInMemoryReplayStore": "stores",
    "AsyncReplayStore": "stores",
    "InMemoryReplayStore": "stores",
    "ReplayStore": "stores",
    "UnverifiedJwt": "unverified",
    "decode_unverified": "unverified",
}

__all__ = [
    "DEFAULT_ALGORITHMS",
    "DEFAULT_MAX_TOKEN_BYTES",
    "SUPPORTED_ALGORITHMS",
    "AsyncInMemoryReplayStore",
    "AsyncJwksCache",
    "AsyncReplayStore",
    "InMemoryReplayStore",
    "InvalidAudienceError",
    "InvalidClaimError",
    "InvalidIssuerError",
    "InvalidJwkError",
    "InvalidNonceError",
    "InvalidSignatureError",
    "InvalidTokenTypeError",
    "JwksCache",
    "JwksResponse",
    "JwksUnavailableError",
    "KeyNotFoundError",
    "KeySet",
    "MalformedTokenError",
    "MissingClaimError",
    "MissingScopeError",
    "ReplayStore",
    "SigningKey",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenReplayedError",
    "TokenTooLargeError",
    "TokenValidationError",
    "UnsupportedAlgorithmError",
    "UnsupportedHeaderError",
    "UnusableKeyError",
    "UnverifiedJwt",
    "VerificationKey",
    "decode_unverified",
    "parse_compact_jws",
    "parse_jwk",
    "parse_jwks",
    "public_key_to_jwk",
    "sign_jwt",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
