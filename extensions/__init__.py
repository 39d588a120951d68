"""keycloak_sdk.extensions: the handwritten layer on the generated core.

Flow helpers (`Client`, `AsyncClient`), local token validation, token managers and settings
live here; framework integrations are imported from their own modules
(`keycloak_sdk.extensions.flask`, `.starlette`, `.fastapi`, `.django`). Names load lazily, so
importing this package costs nothing until one is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions._deprecated import deprecated_names

if TYPE_CHECKING:
    from keycloak_sdk.extensions.claims import (
        AccessTokenClaims,
        IdTokenClaims,
        LogoutTokenClaims,
        Permission,
    )
    from keycloak_sdk.extensions.client import AsyncClient, Client
    from keycloak_sdk.extensions.client_auth_jwt import ClientSecretJwt, PrivateKeyJwt
    from keycloak_sdk.extensions.jose.errors import TokenValidationError
    from keycloak_sdk.extensions.login import LoginResult, LoginTransaction
    from keycloak_sdk.extensions.settings import ClientSettings
    from keycloak_sdk.extensions.token_manager import AsyncTokenManager, TokenManager
    from keycloak_sdk.extensions.tokens import TokenSet
    from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator

    KeycloakSettings = ClientSettings  # deprecated name

_EXPORTS = {
    "AccessTokenClaims": "claims",
    "IdTokenClaims": "claims",
    "LogoutTokenClaims": "claims",
    "Permission": "claims",
    "Client": "client",
    "AsyncClient": "client",
    "ClientSecretJwt": "client_auth_jwt",
    "PrivateKeyJwt": "client_auth_jwt",
    "ClientSettings": "settings",
    "TokenValidationError": "jose.errors",
    "LoginResult": "login",
    "LoginTransaction": "login",
    "TokenManager": "token_manager",
    "AsyncTokenManager": "token_manager",
    "TokenSet": "tokens",
    "TokenValidator": "validation",
    "AsyncTokenValidator": "validation",
}
# Old names (docs/migration.md), kept working with a DeprecationWarning.
_deprecated = deprecated_names(
    __name__,
    {"KeycloakSettings": ("keycloak_sdk.extensions.settings", "ClientSettings")},
    stacklevel=3,
)

__all__ = [
    "AccessTokenClaims",
    "AsyncClient",
    "AsyncTokenManager",
    "AsyncTokenValidator",
    "Client",
    "ClientSecretJwt",
    "ClientSettings",
    "IdTokenClaims",
    "LoginResult",
    "LoginTransaction",
    "LogoutTokenClaims",
    "Permission",
    "PrivateKeyJwt",
    "TokenManager",
    "TokenSet",
    "TokenValidationError",
    "TokenValidator",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        return _deprecated(name)
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
