"""The one exception family raised while parsing and validating tokens.

Every rejection is a `TokenValidationError`, so callers can catch one type and answer 401.
Messages name the rule that failed and, at most, a short sanitised excerpt of a header or claim
value; they never contain the token itself, a key or a shared secret.
"""

from __future__ import annotations

from keycloak_sdk.errors import KeycloakError

__all__ = [
    "InvalidAudienceError",
    "InvalidClaimError",
    "InvalidIssuerError",
    "InvalidNonceError",
    "InvalidSignatureError",
    "InvalidTokenTypeError",
    "JwksUnavailableError",
    "KeyNotFoundError",
    "MalformedTokenError",
    "MissingClaimError",
    "MissingScopeError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenReplayedError",
    "TokenTooLargeError",
    "TokenValidationError",
    "UnsupportedAlgorithmError",
    "UnsupportedHeaderError",
    "UnusableKeyError",
    "describe",
]

_EXCERPT_LIMIT = 40


def describe(value: object) -> str:
    """A short, printable rendering of an untrusted value for an error message."""
    text = repr(value)
    if len(text) > _EXCERPT_LIMIT:
        text = text[: _EXCERPT_LIMIT - 3] + "..."
    return text


class TokenValidationError(KeycloakError):
    """The token was rejected. Subclasses say why; none of them carries the token.

    Rooted at the core's `KeycloakError` so one `except KeycloakError` covers the whole SDK.
    """


class MalformedTokenError(TokenValidationError):
    """The token is not a well-formed compact JWS carrying a JSON object."""


class TokenTooLargeError(MalformedTokenError):
    """The token exceeds the configured size cap; it was not decoded."""


class UnsupportedAlgorithmError(TokenValidationError):
    """The `alg` header is not allowed, or not allowed for the key the token names."""


class UnsupportedHeaderError(TokenValidationError):
    """The header carries a member we refuse: `crit`, an embedded key or a key URL."""


class InvalidSignatureError(TokenValidationError):
    """The signature does not verify with the selected key."""


class KeyNotFoundError(TokenValidationError):
    """No usable key in the JWKS matches the token's `kid` and `alg`."""


class UnusableKeyError(KeyNotFoundError):
    """The JWKS has a key with this `kid`, but it may not verify signatures (why is said)."""


class JwksUnavailableError(KeyNotFoundError):
    """The JWKS could not be fetched and no earlier copy is cached."""


class InvalidClaimError(TokenValidationError):
    """A claim is missing, mistyped or has a value we must reject. `.claim` names it."""

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(message)
        self.claim = claim


class MissingClaimError(InvalidClaimError):
    """A required claim is absent."""

    def __init__(self, claim: str) -> None:
        super().__init__(claim, f"required claim {claim!r} is missing")


class TokenExpiredError(InvalidClaimError):
    """`exp` is in the past, beyond the allowed leeway."""

    def __init__(self) -> None:
        super().__init__("exp", "token has expired")


class TokenNotYetValidError(InvalidClaimError):
    """`nbf` or `iat` lies in the future, beyond the allowed leeway."""


class InvalidIssuerError(InvalidClaimError):
    """`iss` is not exactly the configured issuer."""

    def __init__(self) -> None:
        super().__init__("iss", "token issuer does not match the expected issuer")


class InvalidAudienceError(InvalidClaimError):
    """`aud` (or `azp`) does not name this client or resource server."""


class InvalidTokenTypeError(InvalidClaimError):
    """Keycloak's `typ` claim says this is another kind of token (e.g. an ID token)."""


class InvalidNonceError(InvalidClaimError):
    """The ID token's `nonce` does not match the one sent in the authorization request."""


class MissingScopeError(InvalidClaimError):
    """The token is valid but lacks a required scope (an HTTP 403, not a 401)."""

    def __init__(self, missing: frozenset[str]) -> None:
        super().__init__("scope", f"token lacks required scope(s): {sorted(missing)}")
        self.missing = missing


class TokenReplayedError(InvalidClaimError):
    """A logout token with this `jti` was already accepted."""

    def __init__(self) -> None:
        super().__init__("jti", "logout token jti was already used")
