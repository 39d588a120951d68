"""Errors of the web integrations, rooted at the SDK's `KeycloakError`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from keycloak_sdk.extensions._deprecated import deprecated_names
from keycloak_sdk.extensions.errors import KeycloakError


class WebAuthError(KeycloakError):
    """Root of errors raised by the framework integrations."""


class MalformedRequestError(WebAuthError):
    """The request cannot be processed (missing, duplicate or malformed parameters): HTTP 400.

    Not `keycloak_sdk.errors.BadRequestError`, which is Keycloak answering 400 to the SDK.
    """


class InvalidBearerTokenError(WebAuthError):
    """A bearer or logout token failed validation; the message never contains the token."""


class UnsafeRedirectError(WebAuthError):
    """A return-to target is not a same-site relative path."""


class ProtectionApiError(WebAuthError):
    """Keycloak's UMA protection API refused or failed a call the enforcer needs."""


if TYPE_CHECKING:
    BadRequestError = MalformedRequestError  # deprecated name

# Old names (docs/migration.md), kept working with a DeprecationWarning.
__getattr__ = deprecated_names(__name__, {"BadRequestError": (__name__, "MalformedRequestError")})
