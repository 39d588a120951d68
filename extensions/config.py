"""Deprecated: the client settings live in `keycloak_sdk.extensions.settings`.

`KeycloakSettings` is now `ClientSettings`; every name this module had still works here and
warns with `DeprecationWarning` (docs/migration.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keycloak_sdk.extensions._deprecated import deprecated_names

if TYPE_CHECKING:
    from keycloak_sdk.extensions.settings import (
        DEFAULT_SETTINGS_FILE,
        ENV_VARS,
        SETTINGS_FILE_ENV,
        AuthMethod,
        SslRequired,
        read_adapter_file,
    )
    from keycloak_sdk.extensions.settings import ClientSettings as KeycloakSettings

_SETTINGS = "keycloak_sdk.extensions.settings"

__getattr__ = deprecated_names(
    __name__,
    {
        "KeycloakSettings": (_SETTINGS, "ClientSettings"),
        "AuthMethod": (_SETTINGS, "AuthMethod"),
        "SslRequired": (_SETTINGS, "SslRequired"),
        "ENV_VARS": (_SETTINGS, "ENV_VARS"),
        "SETTINGS_FILE_ENV": (_SETTINGS, "SETTINGS_FILE_ENV"),
        "DEFAULT_SETTINGS_FILE": (_SETTINGS, "DEFAULT_SETTINGS_FILE"),
        "read_adapter_file": (_SETTINGS, "read_adapter_file"),
    },
)

__all__ = [
    "DEFAULT_SETTINGS_FILE",
    "ENV_VARS",
    "SETTINGS_FILE_ENV",
    "AuthMethod",
    "KeycloakSettings",
    "SslRequired",
    "read_adapter_file",
]
