"""Framework-agnostic core of the Flask, Starlette/FastAPI and Django integrations."""

from typing import TYPE_CHECKING

from keycloak_sdk.extensions._deprecated import deprecated_names
from keycloak_sdk.extensions.web._gateway import KeycloakGateway, ResourceDescription
from keycloak_sdk.extensions.web.challenge import bearer_challenge, uma_challenge
from keycloak_sdk.extensions.web.enforcer import (
    EnforcementMode,
    EnforcementResult,
    PathConfig,
    PolicyEnforcer,
)
from keycloak_sdk.extensions.web.engine import (
    AuthEngine,
    Proceed,
    WebRequest,
    WebResponse,
)
from keycloak_sdk.extensions.web.errors import (
    InvalidBearerTokenError,
    MalformedRequestError,
    ProtectionApiError,
    UnsafeRedirectError,
    WebAuthError,
)
from keycloak_sdk.extensions.web.guards import RoleRequirement, ScopeRequirement, has_role
from keycloak_sdk.extensions.web.identity import Identity
from keycloak_sdk.extensions.web.paths import PathRules, RouteKind
from keycloak_sdk.extensions.web.redirects import safe_return_to
from keycloak_sdk.extensions.web.sealing import CookieSealer
from keycloak_sdk.extensions.web.sessions import (
    InMemorySessionStore,
    SessionRecord,
    SessionStore,
)
from keycloak_sdk.extensions.web.settings import WebSettings

__all__ = [
    "AuthEngine",
    "CookieSealer",
    "EnforcementMode",
    "EnforcementResult",
    "Identity",
    "InMemorySessionStore",
    "InvalidBearerTokenError",
    "KeycloakGateway",
    "MalformedRequestError",
    "PathConfig",
    "PathRules",
    "PolicyEnforcer",
    "Proceed",
    "ProtectionApiError",
    "ResourceDescription",
    "RoleRequirement",
    "RouteKind",
    "ScopeRequirement",
    "SessionRecord",
    "SessionStore",
    "UnsafeRedirectError",
    "WebAuthError",
    "WebRequest",
    "WebResponse",
    "WebSettings",
    "bearer_challenge",
    "has_role",
    "safe_return_to",
    "uma_challenge",
]

if TYPE_CHECKING:
    BadRequestError = MalformedRequestError  # deprecated names
    WebAuthConfig = WebSettings

# Old names (docs/migration.md), kept working with a DeprecationWarning.
__getattr__ = deprecated_names(
    __name__,
    {
        "BadRequestError": ("keycloak_sdk.extensions.web.errors", "MalformedRequestError"),
        "WebAuthConfig": ("keycloak_sdk.extensions.web.settings", "WebSettings"),
    },
)
