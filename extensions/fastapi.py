"""FastAPI integration: `Security(...)` dependencies returning typed claims.

    kc = KeycloakFastAPI(settings, public_paths=("/docs", "/openapi.json"), api_paths=("/api/*",))
    app.add_middleware(kc.middleware_class, engine=kc.engine)   # optional: browser login

    @app.get("/api/me")
    async def me(user: Identity = Security(kc.identity, scopes=["profile"])): ...

    @app.get("/api/admin", dependencies=[Security(kc.requires_roles("admin"))]) ...

The security scheme is declared as OpenID Connect (the realm's discovery URL), so it shows
in `/openapi.json` and the docs' Authorize dialog.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException, Request, Security
from fastapi.security import OpenIdConnect, SecurityScopes
from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.starlette import IDENTITY_KEY, AuthenticationMiddleware, engine_from
from keycloak_sdk.extensions.starlette import asgi_request as _asgi_request
from keycloak_sdk.extensions.web.challenge import bearer_challenge, uma_challenge
from keycloak_sdk.extensions.web.engine import AuthEngine, WebResponse
from keycloak_sdk.extensions.web.guards import Match, RoleRequirement, ScopeRequirement
from keycloak_sdk.extensions.web.identity import Identity

__all__ = ["AuthenticationMiddleware", "Identity", "KeycloakFastAPI"]

IdentityDependency = Callable[..., Awaitable[Identity]]


class KeycloakFastAPI:
    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        engine: AuthEngine | None = None,
        scheme_name: str = "keycloak",
        **options: Any,
    ) -> None:
        self.engine = engine or engine_from(settings, **options)
        self.middleware_class = AuthenticationMiddleware
        issuer = self.engine.gateway.issuer
        self.scheme = OpenIdConnect(
            openIdConnectUrl=f"{issuer}/.well-known/openid-configuration",
            scheme_name=scheme_name,
            auto_error=False,
        )
        self.identity: IdentityDependency = self._identity_dependency()
        self.claims = self._claims_dependency()

    @property
    def realm(self) -> str:
        return self.engine.realm

    def _unauthorized(self, error: str | None = None, description: str | None = None) -> None:
        challenge = bearer_challenge(self.realm, error=error, description=description)
        status = 400 if error == "invalid_request" else 401
        raise HTTPException(status, error or "not authenticated", {"WWW-Authenticate": challenge})

    def _unauthorized_dpop(self, description: str) -> None:
        challenge = f'DPoP realm="{self.realm}", error="invalid_dpop_proof"'
        detail = {"error": "invalid_dpop_proof", "error_description": description}
        raise HTTPException(401, detail, {"WWW-Authenticate": challenge})

    def _forbidden(self, identity: Identity, scopes: tuple[str, ...] = ()) -> None:
        response = self.engine.insufficient(identity, scopes)
        challenge = {k: v for k, v in response.headers if k == "www-authenticate"}
        raise HTTPException(response.status, "forbidden", challenge or None)

    def _identity_dependency(self) -> IdentityDependency:
        engine = self.engine
        header = Security(self.scheme)

        async def identity(
            request: Request,
            security_scopes: SecurityScopes,
            authorization: str | None = header,
        ) -> Identity:
            found = request.scope.get(IDENTITY_KEY)
            if not isinstance(found, Identity):
                found = None
                if authorization and authorization.partition(" ")[0].lower() == "dpop":
                    # RFC 9449 section 7: the same check as the middleware's, for routes
                    # protected by this dependency alone.
                    bound = await engine.check_dpop(_asgi_request(request.scope), authorization)
                    if isinstance(bound, str):
                        self._unauthorized_dpop(bound)
                    else:
                        found = bound
                elif authorization:
                    token = engine.bearer_token(authorization)
                    if isinstance(token, WebResponse):
                        self._unauthorized("invalid_request", "malformed Authorization header")
                    else:
                        checked = await engine.check_bearer(token)
                        if isinstance(checked, str):
                            self._unauthorized("invalid_token", checked)
                        else:
                            found = checked
                else:
                    found = await engine.session_identity(_asgi_request(request.scope))
            if found is None:
                self._unauthorized()
                raise AssertionError("unreachable")
            if security_scopes.scopes:
                required = ScopeRequirement.of(security_scopes.scopes, "all")
                if not required.satisfied_by(found.claims):
                    self._forbidden(found, tuple(security_scopes.scopes))
            request.scope[IDENTITY_KEY] = found
            return found

        return identity

    def _claims_dependency(self) -> Callable[..., Awaitable[AccessTokenClaims]]:
        # The identity dependency's own parameters and body, not a dependency on it: FastAPI
        # resolves one dependency less per request (the same scheme, scopes and answers).
        identity = self.identity
        header = Security(self.scheme)

        async def claims(
            request: Request,
            security_scopes: SecurityScopes,
            authorization: str | None = header,
        ) -> AccessTokenClaims:
            return (await identity(request, security_scopes, authorization)).claims

        return claims

    def requires_roles(self, *roles: str, match: Match = "any") -> IdentityDependency:
        """A dependency that needs realm roles / `client:role` client roles."""
        requirement = RoleRequirement.of(roles, match)
        authenticated = Security(self.identity)

        async def guard(identity: Identity = authenticated) -> Identity:
            if not requirement.satisfied_by(identity.claims):
                self._forbidden(identity)
            return identity

        return guard

    def requires_scopes(self, *scopes: str, match: Match = "all") -> IdentityDependency:
        requirement = ScopeRequirement.of(scopes, match)
        authenticated = Security(self.identity)

        async def guard(identity: Identity = authenticated) -> Identity:
            if not requirement.satisfied_by(identity.claims):
                self._forbidden(identity, scopes)
            return identity

        return guard

    def enforce(self) -> IdentityDependency:
        """A dependency running the configured UMA policy enforcer for this request."""
        engine = self.engine
        authenticated = Security(self.identity)

        async def enforced(request: Request, identity: Identity = authenticated) -> Identity:
            enforcer = engine.config.enforcer
            if enforcer is None:
                raise RuntimeError("no policy enforcer is configured")
            result = await enforcer.check(request.method, request.url.path, identity.claims)
            if result.allowed:
                return identity
            if result.ticket is None:
                self._forbidden(identity)
            challenge = uma_challenge(self.realm, engine.gateway.issuer, str(result.ticket))
            raise HTTPException(401, "uma_permission_required", {"WWW-Authenticate": challenge})

        return enforced
