"""Transport and OAuth errors shared with the generated core.

Stand-in for `keycloak_sdk.errors` until the generated core provides it; when it does, this
module becomes a re-export of the core's classes (one edit) and nothing else changes.
"""

from __future__ import annotations


class KeycloakError(Exception):
    """Root of every error raised by keycloak-sdk."""


class TransportError(KeycloakError):
    """The server could not be reached or the connection failed."""


class RequestTimeoutError(TransportError):
    """The server did not answer within the configured timeout."""


class EndpointNotAdvertisedError(KeycloakError):
    """The server's discovery document does not advertise the endpoint a call needs."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        super().__init__(f"the server does not advertise {endpoint!r} in its discovery document")


class ApiError(KeycloakError):
    """A non-OAuth HTTP error from a Keycloak endpoint."""

    def __init__(self, status_code: int, message: str) -> None:
        self.status_code = status_code
        self.message = message
        super().__init__(f"HTTP {status_code}: {message}")


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


class ForbiddenError(ApiError):
    pass


class OAuthError(KeycloakError):
    """An OAuth 2.0 error response (RFC 6749 §5.2, RFC 6750 §3)."""

    def __init__(
        self,
        error: str,
        error_description: str | None = None,
        *,
        status_code: int | None = None,
        www_authenticate: str | None = None,
    ) -> None:
        self.error = error
        self.error_description = error_description
        self.status_code = status_code
        self.www_authenticate = www_authenticate
        text = error if not error_description else f"{error}: {error_description}"
        if status_code is not None:
            text = f"{text} (HTTP {status_code})"
        super().__init__(text)


class InvalidRequestError(OAuthError):
    pass


class InvalidClientError(OAuthError):
    pass


class InvalidGrantError(OAuthError):
    pass


class UnauthorizedClientError(OAuthError):
    pass


class UnsupportedGrantTypeError(OAuthError):
    pass


class InvalidScopeError(OAuthError):
    pass


class InvalidTokenError(OAuthError):
    pass


class AccessDeniedError(OAuthError):
    pass


class AuthorizationPendingError(OAuthError):
    pass


class SlowDownError(OAuthError):
    pass


class ExpiredTokenError(OAuthError):
    pass


OAUTH_ERRORS: dict[str, type[OAuthError]] = {
    "invalid_request": InvalidRequestError,
    "invalid_client": InvalidClientError,
    "invalid_grant": InvalidGrantError,
    "unauthorized_client": UnauthorizedClientError,
    "unsupported_grant_type": UnsupportedGrantTypeError,
    "invalid_scope": InvalidScopeError,
    "invalid_token": InvalidTokenError,
    "access_denied": AccessDeniedError,
    "authorization_pending": AuthorizationPendingError,
    "slow_down": SlowDownError,
    "expired_token": ExpiredTokenError,
}


def oauth_error(
    error: str,
    error_description: str | None = None,
    *,
    status_code: int | None = None,
    www_authenticate: str | None = None,
) -> OAuthError:
    cls = OAUTH_ERRORS.get(error, OAuthError)
    return cls(error, error_description, status_code=status_code, www_authenticate=www_authenticate)
