"""Deprecated: the web integrations' settings live in `keycloak_sdk.extensions.web.settings`.

`WebAuthConfig` is now `WebSettings`; the old names still work here and warn with
`DeprecationWarning` (docs/migration.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keycloak_sdk.extensions._deprecated import deprecated_names

if TYPE_CHECKING:
    from keycloak_sdk.extensions.web.settings import BearerValidation
    from keycloak_sdk.extensions.web.settings import WebSettings as WebAuthConfig

_SETTINGS = "keycloak_sdk.extensions.web.settings"

__getattr__ = deprecated_names(
    __name__,
    {
        "WebAuthConfig": (_SETTINGS, "WebSettings"),
        "BearerValidation": (_SETTINGS, "BearerValidation"),
    },
)

__all__ = ["BearerValidation", "WebAuthConfig"]
