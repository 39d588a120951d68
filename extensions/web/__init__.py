"""Framework-agnostic core of the Flask, Starlette/FastAPI and Django integrations."""

from keycloak_sdk.extensions.web._gateway import KeycloakGateway, ResourceDescription
from keycloak_sdk.extensions.web.challenge import bearer_challenge, uma_challenge
from keycloak_sdk.extensions.web.config import WebAuthConfig
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
    BadRequestError,
    InvalidBearerTokenError,
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

__all__ = [
    "AuthEngine",
    "BadRequestError",
    "CookieSealer",
    "EnforcementMode",
    "EnforcementResult",
    "Identity",
    "InMemorySessionStore",
    "InvalidBearerTokenError",
    "KeycloakGateway",
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
    "WebAuthConfig",
    "WebAuthError",
    "WebRequest",
    "WebResponse",
    "bearer_challenge",
    "has_role",
    "safe_return_to",
    "uma_challenge",
]
