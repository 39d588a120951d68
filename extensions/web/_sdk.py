"""The one place where the web integrations call the SDK's flow and validation layers.

Everything the framework code needs from Keycloak goes through `KeycloakGateway`: the flow
layer's `AsyncClient` (discovery, login with state/nonce/PKCE, refresh, logout URL,
introspection, PAT, permission tickets), the validation layer's `AsyncTokenValidator` (access
and logout tokens, with a jti replay store), and the one protection-API call the flow client
does not offer (resource lookup by `matchingUri`). Errors are translated here into the few the
engine distinguishes: `LoginError` (the user must log in again), `InvalidBearerTokenError`,
and any other `KeycloakError` (Keycloak unreachable or misbehaving: 502). When the flow or
validation clients change their names, this module is the single edit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from keycloak_sdk.extensions.claims import (
    AccessTokenClaims,
    IdTokenClaims,
    LogoutTokenClaims,
)
from keycloak_sdk.extensions.client import AsyncClient
from keycloak_sdk.extensions.config import KeycloakSettings
from keycloak_sdk.extensions.errors import KeycloakError, LoginError, TransportError
from keycloak_sdk.extensions.jose.errors import JwksUnavailableError, TokenValidationError
from keycloak_sdk.extensions.jose.jwks import AsyncJwksCache, JwksResponse
from keycloak_sdk.extensions.jose.stores import AsyncReplayStore
from keycloak_sdk.extensions.login import LoginTransaction
from keycloak_sdk.extensions.token_manager import AsyncTokenManager
from keycloak_sdk.extensions.tokens import TokenIntrospection, TokenSet
from keycloak_sdk.extensions.uma import TicketPermission
from keycloak_sdk.extensions.validation import AsyncTokenValidator
from keycloak_sdk.extensions.web.errors import InvalidBearerTokenError, ProtectionApiError

__all__ = [
    "KeycloakGateway",
    "LoginTransaction",
    "ResourceDescription",
    "TokenSet",
]


@dataclass(frozen=True)
class ResourceDescription:
    """A UMA resource as the protection API describes it."""

    id: str
    name: str
    uris: tuple[str, ...]
    scopes: tuple[str, ...]


class KeycloakGateway:
    """Async access to one realm for one confidential (or public) client."""

    def __init__(
        self,
        settings: KeycloakSettings,
        *,
        replay_store: AsyncReplayStore | None = None,
    ) -> None:
        self.settings = settings
        self._client: AsyncClient | None = None
        self._http: httpx.AsyncClient | None = None
        self._uma: dict[str, Any] | None = None
        self._jwks = AsyncJwksCache(self._fetch_jwks)
        self._validator = AsyncTokenValidator(
            issuer=settings.issuer,
            client_id=settings.client_id,
            jwks=self._jwks,
            accept_azp_as_audience=True,
            verified_token_cache_size=4096,
            replay_store=replay_store,
        )
        self._pat_manager: AsyncTokenManager | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    @property
    def client_id(self) -> str:
        return self.settings.client_id

    def _same_loop(self) -> None:
        # Connection pools belong to one event loop. A server has one for its lifetime, but a
        # test client may run the same app on a new loop: start over with fresh clients then.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._client = None
            self._http = None
            self._pat_manager = None

    def _flows(self) -> AsyncClient:
        self._same_loop()
        if self._client is None:
            self._client = AsyncClient(self.settings)
        return self._client

    def _raw(self) -> httpx.AsyncClient:
        self._same_loop()
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.settings.timeout)
        return self._http

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- discovery -------------------------------------------------------------------------

    async def endpoint(self, name: str) -> str:
        return (await self._flows().metadata()).endpoint(name)

    async def uma_configuration(self) -> Mapping[str, Any]:
        if self._uma is None:
            url = f"{self.issuer}/.well-known/uma2-configuration"
            try:
                response = await self._raw().get(url)
            except httpx.HTTPError as exc:
                raise TransportError(f"cannot reach Keycloak: {type(exc).__name__}") from None
            data = _json_object(response)
            if response.status_code != 200 or not data:
                raise ProtectionApiError(f"UMA discovery answered HTTP {response.status_code}")
            self._uma = data
        return self._uma

    async def _fetch_jwks(self) -> JwksResponse:
        url = await self.endpoint("jwks_uri")
        response = await self._raw().get(url)
        response.raise_for_status()
        return JwksResponse(response.content, response.headers.get("cache-control"))

    # -- browser login ---------------------------------------------------------------------

    async def begin_login(self, redirect_uri: str) -> LoginTransaction:
        """A new transaction (state, nonce, PKCE verifier) with its `authorization_url`."""
        return await self._flows().begin_login(redirect_uri=redirect_uri)

    async def complete_login(
        self, transaction: LoginTransaction, query: Mapping[str, str]
    ) -> tuple[TokenSet, IdTokenClaims]:
        """Check state/iss/age, exchange the code with the PKCE verifier, validate the ID token."""
        try:
            result = await self._flows().complete_login(transaction, query)
        except TransportError:
            raise
        except (KeycloakError, TokenValidationError) as exc:
            raise LoginError(f"login refused: {type(exc).__name__}: {exc}") from None
        return result.tokens, result.id_token_claims

    async def refresh(self, refresh_token: str) -> TokenSet:
        try:
            return await self._flows().refresh(refresh_token)
        except TransportError:
            raise
        except (KeycloakError, TokenValidationError) as exc:
            raise LoginError(f"refresh refused: {type(exc).__name__}") from None

    async def end_session_url(
        self, *, id_token_hint: str | None, post_logout_redirect_uri: str | None
    ) -> str:
        return await self._flows().logout_url(
            id_token_hint=id_token_hint, post_logout_redirect_uri=post_logout_redirect_uri
        )

    # -- token validation ------------------------------------------------------------------

    async def validate_access_token(
        self, token: str, *, audience: str | None = None
    ) -> AccessTokenClaims:
        """Validate a bearer token locally (signature, issuer, lifetime, type, audience).

        Without `audience`, the token must be addressed to or issued for this client.
        """
        try:
            return await self._validator.validate_access_token(token, audience=audience)
        except JwksUnavailableError:
            # Keycloak's keys cannot be fetched: not the caller's fault (502, not 401).
            raise TransportError("the realm's signing keys are unavailable") from None
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    async def introspect(self, token: str) -> TokenIntrospection:
        return await self._flows().introspect(token)

    async def validate_logout_token(self, token: str) -> LogoutTokenClaims:
        """OIDC Back-Channel Logout 1.0 §2.6; each `jti` is accepted once."""
        try:
            return await self._validator.validate_logout_token(token)
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    # -- UMA protection API ----------------------------------------------------------------

    async def pat(self) -> str:
        """A protection API token from the flow layer's token manager (cached, single flight)."""
        client = self._flows()
        if self._pat_manager is None:
            self._pat_manager = AsyncTokenManager(client, source="pat")
        return await self._pat_manager.access_token()

    async def find_resources_by_uri(self, uri: str) -> list[ResourceDescription]:
        """Resources whose URI pattern matches `uri` (Keycloak's `matchingUri` lookup)."""
        return await self._find_resources({"uri": uri, "matchingUri": "true"})

    async def find_resources_by_name(self, name: str) -> list[ResourceDescription]:
        return await self._find_resources({"name": name, "exactName": "true"})

    async def _find_resources(self, query: dict[str, str]) -> list[ResourceDescription]:
        config = await self.uma_configuration()
        url = config.get("resource_registration_endpoint")
        if not isinstance(url, str):
            raise ProtectionApiError("the realm does not advertise resource registration")
        params = {**query, "deep": "true", "max": "20"}
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.pat()}"}
            try:
                response = await self._raw().get(url, params=params, headers=headers)
            except httpx.HTTPError as exc:
                raise TransportError(f"cannot reach Keycloak: {type(exc).__name__}") from None
            if response.status_code != 401 or attempt == 2 or self._pat_manager is None:
                break
            await self._pat_manager.invalidate()  # revoked or expired early: fetch a new PAT
        if response.status_code != 200:
            raise ProtectionApiError(f"resource lookup answered HTTP {response.status_code}")
        found = response.json()
        if not isinstance(found, list):
            raise ProtectionApiError("resource lookup did not answer a list")
        return [_resource(item) for item in found if isinstance(item, dict)]

    async def create_ticket(self, resource_id: str, scopes: tuple[str, ...]) -> str:
        permission = TicketPermission(resource_id=resource_id, resource_scopes=scopes)
        return await self._flows().ticket([permission], pat=await self.pat())


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _resource(item: Mapping[str, Any]) -> ResourceDescription:
    scopes = []
    for scope in item.get("resource_scopes") or item.get("scopes") or []:
        name = scope.get("name") if isinstance(scope, dict) else scope
        if isinstance(name, str):
            scopes.append(name)
    uris = item.get("uris") or ([item["uri"]] if isinstance(item.get("uri"), str) else [])
    return ResourceDescription(
        id=str(item.get("_id") or item.get("id") or ""),
        name=str(item.get("name", "")),
        uris=tuple(str(u) for u in uris),
        scopes=tuple(scopes),
    )
