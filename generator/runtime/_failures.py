"""Status and error mapping: a response the operation does not expect becomes a typed error.

Part of `keycloak_sdk._runtime`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import (
    TYPE_CHECKING,
)
from urllib.parse import urlsplit, urlunsplit

from keycloak_sdk._answers import content_type
from keycloak_sdk._calls import ErrorStyle
from keycloak_sdk._errors import (
    ApiError,
    DiscoveryError,
    KeycloakError,
    OAuthError,
    RequestTimeoutError,
    TransportError,
    UnexpectedResponseError,
)

if TYPE_CHECKING:
    import httpx


# httpx (and asyncio) are imported when the first client is made, not when keycloak_sdk is:
# `from keycloak_sdk import KeycloakClient` stays cheap.


# --- status and error mapping ----------------------------------------------------------------


def failure(response: httpx.Response, style: ErrorStyle) -> KeycloakError:
    """The typed error for a non-success answer."""
    headers = dict(response.headers)
    parsed = OAuthError.parse(response.content, headers)
    if style == "oauth":
        if parsed is None:
            return UnexpectedResponseError(
                response.status_code, "no OAuth error in the body", content_type(response)
            )
        return OAuthError.from_response(response.status_code, response.content, headers)
    error, description, _uri = parsed if parsed is not None else (None, None, None)
    if description is None:
        description = _error_message(response)
    return ApiError.for_status(
        response.status_code, error, description, response.headers.get("www-authenticate")
    )


def _error_message(response: httpx.Response) -> str | None:
    # Keycloak's admin API answers {"errorMessage": "User exists with same username"}.
    try:
        data = json.loads(response.content) if response.content else None
    except ValueError:
        return None
    if isinstance(data, Mapping):
        message = data.get("errorMessage") or data.get("error_description")
        return message if isinstance(message, str) else None
    return None


def check(response: httpx.Response, expected: Sequence[int], style: ErrorStyle) -> None:
    if response.status_code in expected:
        return
    if 200 <= response.status_code < 300:
        raise UnexpectedResponseError(
            response.status_code, f"expected HTTP {list(expected)}", content_type(response)
        )
    raise failure(response, style)


def _redacted(url: httpx.URL | str) -> str:
    # Query strings may carry codes or hints; never put them in an error message.
    parts = urlsplit(str(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def transport_error(exc: httpx.HTTPError, method: str, url: str) -> TransportError:
    import httpx

    where = f"{method} {_redacted(url)}"
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"timed out: {where}")
    return TransportError(f"{type(exc).__name__} during {where}")


def check_issuer(expected: str, advertised: object) -> None:
    # OpenID Connect Discovery §4.3: the advertised issuer must be the one we asked for.
    if not isinstance(advertised, str) or advertised.rstrip("/") != expected.rstrip("/"):
        raise DiscoveryError(
            f"discovery of {expected!r} advertises issuer {advertised!r}; refusing to use it"
        )
