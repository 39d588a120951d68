"""Client authentication: the core's protocol and basic methods, re-exported.

`client_secret_jwt` and `private_key_jwt` implement the same protocol in `client_auth_jwt`.
"""

from __future__ import annotations

from keycloak_sdk.auth import (
    ClientAuthentication,
    ClientSecretBasic,
    ClientSecretPost,
    FormData,
    NoClientAuthentication,
)

__all__ = [
    "ClientAuthentication",
    "ClientSecretBasic",
    "ClientSecretPost",
    "FormData",
    "NoClientAuthentication",
]
