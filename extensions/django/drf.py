"""Django REST framework authentication by Keycloak access token: `Bearer`, or `DPoP` with a
proof (RFC 9449), with or without the middleware.

    REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES":
                      ["keycloak_sdk.extensions.django.drf.KeycloakAuthentication"]}

`request.user` is the Django user from `KeycloakBackend` (or, without django.contrib.auth,
the identity itself) and `request.auth` the `Identity`. DRF answers 401 with
`WWW-Authenticate: Bearer realm="..."` for a missing or bad token.
"""

from __future__ import annotations

from typing import Any

from keycloak_sdk.extensions.django._engine import get_engine, web_request
from keycloak_sdk.extensions.django.middleware import django_user
from keycloak_sdk.extensions.web.challenge import bearer_challenge
from keycloak_sdk.extensions.web.engine import WebResponse
from keycloak_sdk.extensions.web.guards import RoleRequirement
from keycloak_sdk.extensions.web.identity import Identity
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class KeycloakAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Identity] | None:
        identity = getattr(request._request, "keycloak", None)
        if not isinstance(identity, Identity):
            header = request.headers.get("Authorization")
            scheme = (header or "").partition(" ")[0].lower()
            if header is None or scheme not in ("bearer", "dpop"):
                return None
            engine = get_engine()
            if scheme == "dpop":
                # RFC 9449 section 7: the same check as the middleware's, for views that
                # authenticate with this class alone.
                bound = engine.check_dpop_sync(web_request(request._request), header)
                if isinstance(bound, str):
                    raise AuthenticationFailed(bound, code="invalid_dpop_proof")
                return self._user(request, bound), bound
            token = engine.bearer_token(header)
            if isinstance(token, WebResponse):
                raise AuthenticationFailed("malformed Authorization header")
            checked = engine.check_bearer_sync(token)
            if isinstance(checked, str):
                raise AuthenticationFailed(checked)
            identity = checked
        return self._user(request, identity), identity

    @staticmethod
    def _user(request: Request, identity: Identity) -> Any:
        user = django_user(request._request, identity)
        return user if user is not None else identity

    def authenticate_header(self, request: Request) -> str:
        realm = get_engine().realm
        header = request.headers.get("Authorization") or ""
        if header.partition(" ")[0].lower() == "dpop":
            return f'DPoP realm="{realm}", error="invalid_dpop_proof"'
        return bearer_challenge(realm)


class HasRoles(BasePermission):
    """Subclass with `roles = ("admin", "client:role")` and `match = "any" | "all"`."""

    roles: tuple[str, ...] = ()
    match: Any = "any"

    def has_permission(self, request: Request, view: Any) -> bool:
        identity = request.auth
        if not isinstance(identity, Identity):
            return False
        return RoleRequirement.of(self.roles, self.match).satisfied_by(identity.claims)
