"""Errors of the web integrations, rooted at the SDK's `KeycloakError`."""

from __future__ import annotations

from keycloak_sdk.extensions.errors import KeycloakError


class WebAuthError(KeycloakError):
    """Root of errors raised by the framework integrations."""


class BadRequestError(WebAuthError):
    """The request cannot be processed (missing, duplicate or malformed parameters)."""


class InvalidBearerTokenError(WebAuthError):
    """A bearer or logout token failed validation; the message never contains the token."""


class UnsafeRedirectError(WebAuthError):
    """A return-to target is not a same-site relative path."""


class ProtectionApiError(WebAuthError):
    """Keycloak's UMA protection API refused or failed a call the enforcer needs."""
