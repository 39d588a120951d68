"""Base errors of the SDK. Messages carry status and OAuth error codes, never tokens or secrets.

The per-code `OAuthError` subclasses are generated into `keycloak_sdk.errors` from
`OAuthErrorCode` in spec/openapi/common.yaml; each registers itself here by its `code`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import ClassVar

# Keycloak sometimes echoes user input in descriptions; keep messages short and single-line.
_MAX_DESCRIPTION = 300
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    flat = " ".join(str(text).split())
    return flat[:_MAX_DESCRIPTION]


class KeycloakError(Exception):
    """Base of every error this SDK raises."""


class TransportError(KeycloakError):
    """The request did not complete (connection refused, reset, TLS, ...)."""


class RequestTimeoutError(TransportError):
    """The request timed out."""


class DiscoveryError(KeycloakError):
    """The discovery document is unusable (wrong issuer, not JSON, ...)."""


class EndpointNotAdvertisedError(KeycloakError):
    """The server's discovery document does not advertise the endpoint an operation needs."""

    def __init__(self, discovery_key: str) -> None:
        super().__init__(f"the server does not advertise {discovery_key!r} in its discovery")
        self.discovery_key = discovery_key


class UnexpectedResponseError(KeycloakError):
    """A response that is neither the documented success nor a documented error."""

    def __init__(self, status_code: int, reason: str, content_type: str | None = None) -> None:
        super().__init__(f"HTTP {status_code}: {reason}")
        self.status_code = status_code
        self.content_type = content_type


class ApiError(KeycloakError):
    """A protection API (UMA resource, permission, policy) call failed."""

    def __init__(
        self,
        status_code: int,
        error: str | None = None,
        error_description: str | None = None,
        www_authenticate: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.error = error
        self.error_description = _clean(error_description)
        self.www_authenticate = www_authenticate
        detail = f": {error}" if error else ""
        if self.error_description:
            detail += f" ({self.error_description})"
        super().__init__(f"HTTP {status_code}{detail}")

    @staticmethod
    def for_status(
        status_code: int,
        error: str | None = None,
        error_description: str | None = None,
        www_authenticate: str | None = None,
    ) -> ApiError:
        cls = _API_ERRORS.get(status_code, ApiError)
        return cls(status_code, error, error_description, www_authenticate)


class BadRequestError(ApiError):
    """HTTP 400 from the protection API."""


class UnauthorizedError(ApiError):
    """HTTP 401 from the protection API: missing or invalid token."""


class ForbiddenError(ApiError):
    """HTTP 403 from the protection API: the token lacks the needed role or ownership."""


class NotFoundError(ApiError):
    """HTTP 404 from the protection API."""


class ConflictError(ApiError):
    """HTTP 409 from the protection API, e.g. a resource name already in use."""


_API_ERRORS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


class OAuthError(KeycloakError):
    """An OAuth 2.0 error response (RFC 6749 §5.2, RFC 6750 §3)."""

    #: The RFC error code a subclass stands for; empty on the base class.
    code: str = ""
    # error code -> the subclass standing for it; filled as keycloak_sdk.errors defines them.
    _by_code: ClassVar[dict[str, type[OAuthError]]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if cls.code:
            OAuthError._by_code[cls.code] = cls

    def __init__(
        self,
        error: str,
        error_description: str | None = None,
        error_uri: str | None = None,
        *,
        status_code: int,
        www_authenticate: str | None = None,
    ) -> None:
        self.error = error
        self.error_description = _clean(error_description)
        self.error_uri = error_uri
        self.status_code = status_code
        self.www_authenticate = www_authenticate
        detail = f" ({self.error_description})" if self.error_description else ""
        super().__init__(f"{error or 'unknown OAuth error'}{detail} [HTTP {status_code}]")

    @staticmethod
    def parse(
        body: bytes | str | Mapping[str, object] | None, headers: Mapping[str, str] | None = None
    ) -> tuple[str, str | None, str | None] | None:
        """(error, error_description, error_uri) from a JSON body or WWW-Authenticate header."""
        data: object = body
        if isinstance(body, bytes | str):
            try:
                data = json.loads(body) if body else None
            except ValueError:
                data = None
        if isinstance(data, Mapping) and isinstance(data.get("error"), str):
            description = data.get("error_description")
            uri = data.get("error_uri")
            return (
                str(data["error"]),
                description if isinstance(description, str) else None,
                uri if isinstance(uri, str) else None,
            )
        challenge = _header(headers, "www-authenticate")
        if challenge:
            params = dict(_AUTH_PARAM.findall(challenge))
            if "error" in params:
                return params["error"], params.get("error_description"), params.get("error_uri")
        return None

    @classmethod
    def from_response(
        cls,
        status: int,
        body: bytes | str | Mapping[str, object] | None,
        headers: Mapping[str, str] | None = None,
    ) -> OAuthError:
        """The OAuthError subclass for the error code in `body` (or WWW-Authenticate)."""
        parsed = cls.parse(body, headers)
        error, description, uri = parsed if parsed is not None else ("", None, None)
        error_cls = OAuthError._by_code.get(error, OAuthError)
        return error_cls(
            error,
            description,
            uri,
            status_code=status,
            www_authenticate=_header(headers, "www-authenticate"),
        )


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


__all__ = [
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "DiscoveryError",
    "EndpointNotAdvertisedError",
    "ForbiddenError",
    "KeycloakError",
    "NotFoundError",
    "OAuthError",
    "RequestTimeoutError",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedResponseError",
]
