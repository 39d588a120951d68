"""Handwritten JOSE for Keycloak tokens: strict JWS parsing, JWKS keys, signing.

Built on `cryptography` only. Token validation itself lives in
`keycloak_sdk.extensions.validation`; this package provides its building blocks.
"""

from __future__ import annotations

from keycloak_sdk.extensions.jose.algorithms import DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS
from keycloak_sdk.extensions.jose.errors import (
    InsufficientScopeError,
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

__all__ = [
    "DEFAULT_ALGORITHMS",
    "DEFAULT_MAX_TOKEN_BYTES",
    "SUPPORTED_ALGORITHMS",
    "AsyncInMemoryReplayStore",
    "AsyncJwksCache",
    "AsyncReplayStore",
    "InMemoryReplayStore",
    "InsufficientScopeError",
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
