"""Keycloak's Admin REST API, generated from the OpenAPI document Keycloak itself publishes.

    from keycloak_sdk.admin import KeycloakAdmin

    admin = KeycloakAdmin("http://localhost:8080", username="admin", password="...")
    acme = admin.realm("acme")
    user_id = acme.users.create(UserRepresentation(username="ann", enabled=True))
    for user in acme.users.iter_list(search="ann"):
        print(user.username)

Names load lazily: importing this package loads neither the operations nor the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keycloak_sdk._errors import (
        ApiError,
        BadRequestError,
        ConflictError,
        ForbiddenError,
        KeycloakError,
        NotFoundError,
        UnauthorizedError,
    )
    from keycloak_sdk.admin._session import Login
    from keycloak_sdk.admin.client import AsyncKeycloakAdmin, KeycloakAdmin

_LAZY = {
    "AsyncKeycloakAdmin": "keycloak_sdk.admin.client",
    "KeycloakAdmin": "keycloak_sdk.admin.client",
    "Login": "keycloak_sdk.admin._session",
    "ApiError": "keycloak_sdk._errors",
    "BadRequestError": "keycloak_sdk._errors",
    "ConflictError": "keycloak_sdk._errors",
    "ForbiddenError": "keycloak_sdk._errors",
    "KeycloakError": "keycloak_sdk._errors",
    "NotFoundError": "keycloak_sdk._errors",
    "UnauthorizedError": "keycloak_sdk._errors",
}

__all__ = [
    "ApiError",
    "AsyncKeycloakAdmin",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "KeycloakAdmin",
    "KeycloakError",
    "Login",
    "NotFoundError",
    "UnauthorizedError",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'keycloak_sdk.admin' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
