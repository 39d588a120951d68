"""Typed errors of the flow layer, rooted at the core's `keycloak_sdk.errors.KeycloakError`.

Transport, OAuth and protection-API errors are the core's own classes (re-exported here), so
`except keycloak_sdk.errors.OAuthError` catches what the flows raise. No message ever
contains a token or a secret.
"""

from __future__ import annotations

from keycloak_sdk.errors import (
    AccessDeniedError,
    ApiError,
    AuthorizationPendingError,
    ConflictError,
    EndpointNotAdvertisedError,
    ExpiredTokenError,
    ForbiddenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    InvalidTokenError,
    KeycloakError,
    NotFoundError,
    OAuthError,
    RequestTimeoutError,
    SlowDownError,
    TransportError,
    UnauthorizedClientError,
    UnexpectedResponseError,
    UnsupportedGrantTypeError,
)


class ConfigurationError(KeycloakError, ValueError):
    """A required setting is missing or invalid; `setting` names it."""

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"{setting}: {problem}")


class LoginError(KeycloakError):
    """The browser login could not be completed safely."""


class StateMismatchError(LoginError):
    """The `state` returned to the redirect URI is not the one this login sent."""


class IssuerMismatchError(LoginError):
    """The RFC 9207 `iss` on the redirect is missing or names another issuer."""


class NoPendingLoginError(LoginError):
    """`callback(code)` was called without exactly one login pending on this client."""


class AuthorizationError(LoginError):
    """The authorization server redirected back with an error (e.g. `access_denied`)."""

    def __init__(self, error: str, error_description: str | None = None) -> None:
        self.error = error
        self.error_description = error_description
        text = f"authorization failed: {error}"
        if error_description:
            text += f" ({error_description})"
        super().__init__(text)


class TokenMismatchError(KeycloakError):
    """A response does not belong to the same user/session (e.g. userinfo `sub` differs)."""


class UnexpectedTokenTypeError(UnexpectedResponseError):
    """The token response's `token_type` is neither `Bearer` nor, when DPoP is in use, `DPoP`.

    A client that sends a `Bearer` header with a token of another type (say `mac`) would send
    it where the server expects a proof, so the response is refused instead of kept.
    """

    def __init__(self, token_type: object, expected: tuple[str, ...]) -> None:
        shown = repr(token_type)[:40]
        super().__init__(200, f"token_type {shown} is not {' or '.join(expected)}")
        self.token_type = token_type


class PollingTimeoutError(KeycloakError):
    """A device or CIBA authorization was not approved before the caller's maximum wait."""


class DeviceFlowExpiredError(KeycloakError):
    """The device code (or CIBA auth_req_id) expired before the user approved it."""


class CibaExpiredError(DeviceFlowExpiredError):
    """The CIBA `auth_req_id` expired before the user approved it."""


__all__ = [
    "AccessDeniedError",
    "ApiError",
    "AuthorizationError",
    "AuthorizationPendingError",
    "CibaExpiredError",
    "ConfigurationError",
    "ConflictError",
    "DeviceFlowExpiredError",
    "EndpointNotAdvertisedError",
    "ExpiredTokenError",
    "ForbiddenError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidTokenError",
    "IssuerMismatchError",
    "KeycloakError",
    "LoginError",
    "NoPendingLoginError",
    "NotFoundError",
    "OAuthError",
    "PollingTimeoutError",
    "RequestTimeoutError",
    "SlowDownError",
    "StateMismatchError",
    "TokenMismatchError",
    "TransportError",
    "UnauthorizedClientError",
    "UnexpectedResponseError",
    "UnexpectedTokenTypeError",
    "UnsupportedGrantTypeError",
]
