"""The one place where the web integrations call the SDK's flow and validation layers.

Everything the framework code needs from Keycloak goes through `KeycloakGateway`: discovery,
the browser login (the flow layer's `LoginTransaction`/`check_callback`), token refresh and
revocation, local JWT validation against the realm's JWKS (the JOSE layer's parser and key
cache), introspection, logout-token validation with a jti replay store, and the UMA protection
API (PAT, resource lookup by URI, permission tickets). When the flow/validation clients change
their names, this module is the single edit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from keycloak_sdk.extensions.claims import (
    AccessTokenClaims,
    IdTokenClaims,
    LogoutTokenClaims,
)
from keycloak_sdk.extensions.config import KeycloakSettings
from keycloak_sdk.extensions.errors import KeycloakError, LoginError
from keycloak_sdk.extensions.jose.errors import TokenValidationError
from keycloak_sdk.extensions.jose.jwks import AsyncJwksCache, JwksResponse
from keycloak_sdk.extensions.jose.stores import AsyncReplayStore
from keycloak_sdk.extensions.login import (
    CallbackParams,
    LoginOptions,
    LoginTransaction,
    authorization_params,
    check_callback,
)
from keycloak_sdk.extensions.tokens import TokenIntrospection, TokenSet
from keycloak_sdk.extensions.validation import AsyncTokenValidator
from keycloak_sdk.extensions.web.errors import (
    InvalidBearerTokenError,
    ProtectionApiError,
    WebAuthError,
)

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


@dataclass
class _Pat:
    token: str = field(repr=False)
    expires_at: float


class KeycloakGateway:
    """Async access to one realm for one confidential (or public) client."""

    def __init__(
        self,
        settings: KeycloakSettings,
        *,
        http: httpx.AsyncClient | None = None,
        replay_store: AsyncReplayStore | None = None,
    ) -> None:
        self.settings = settings
        self._http = http
        self._discovery: dict[str, Any] | None = None
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
        self._pat: _Pat | None = None
        self._lock: asyncio.Lock | None = None

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    @property
    def client_id(self) -> str:
        return self.settings.client_id

    def _client(self) -> httpx.AsyncClient:
        # Created lazily inside the running event loop that will use it.
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.settings.timeout)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- discovery -------------------------------------------------------------------------

    async def discovery(self) -> Mapping[str, Any]:
        if self._discovery is None:
            self._discovery = await self._get_json(
                f"{self.issuer}/.well-known/openid-configuration"
            )
        return self._discovery

    async def uma_configuration(self) -> Mapping[str, Any]:
        if self._uma is None:
            self._uma = await self._get_json(f"{self.issuer}/.well-known/uma2-configuration")
        return self._uma

    async def endpoint(self, name: str) -> str:
        value = (await self.discovery()).get(name)
        if not isinstance(value, str):
            raise WebAuthError(f"the realm does not advertise {name}")
        return value

    async def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client().get(url, **kwargs)
        except httpx.HTTPError as exc:
            raise WebAuthError(f"cannot reach Keycloak: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise WebAuthError(f"GET {url} answered HTTP {response.status_code}")
        data = response.json()
        if not isinstance(data, dict):
            raise WebAuthError(f"GET {url} did not answer a JSON object")
        return data

    async def _fetch_jwks(self) -> JwksResponse:
        url = await self.endpoint("jwks_uri")
        response = await self._client().get(url)
        response.raise_for_status()
        return JwksResponse(response.content, response.headers.get("cache-control"))

    # -- browser login ---------------------------------------------------------------------

    def begin_login(self, redirect_uri: str) -> LoginTransaction:
        scope = " ".join(dict.fromkeys(("openid", *self.settings.scopes)))
        return LoginTransaction.new(redirect_uri, scope=scope)

    async def authorization_url(self, transaction: LoginTransaction) -> str:
        params = authorization_params(self.client_id, transaction, LoginOptions())
        return f"{await self.endpoint('authorization_endpoint')}?{urlencode(params)}"

    async def complete_login(
        self, transaction: LoginTransaction, query: Mapping[str, str]
    ) -> tuple[TokenSet, IdTokenClaims]:
        """Check state/iss/age, exchange the code with the PKCE verifier, validate the ID token."""
        discovery = await self.discovery()
        code = check_callback(
            transaction,
            CallbackParams.from_query(query),
            issuer=self.issuer,
            iss_required=bool(discovery.get("authorization_response_iss_parameter_supported")),
            now=time.time(),
        )
        tokens = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": transaction.redirect_uri,
                "code_verifier": transaction.code_verifier,
            }
        )
        if not tokens.id_token:
            raise LoginError("the token response has no ID token")
        claims = await self.validate_id_token(tokens.id_token, nonce=transaction.nonce)
        return tokens, claims

    async def refresh(self, refresh_token: str) -> TokenSet:
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def end_session_url(
        self, *, id_token_hint: str | None, post_logout_redirect_uri: str | None
    ) -> str:
        params = {"client_id": self.client_id}
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        if post_logout_redirect_uri:
            params["post_logout_redirect_uri"] = post_logout_redirect_uri
        return f"{await self.endpoint('end_session_endpoint')}?{urlencode(params)}"

    async def revoke_refresh_token(self, refresh_token: str) -> None:
        """Best effort: ends the Keycloak session bound to the refresh token."""
        url = await self.endpoint("revocation_endpoint")
        data = {"token": refresh_token, "token_type_hint": "refresh_token"}
        await self._post_form(url, data)

    async def _token_request(self, data: dict[str, str]) -> TokenSet:
        response = await self._post_form(await self.endpoint("token_endpoint"), data)
        body = _json_object(response)
        if response.status_code != 200:
            raise LoginError(
                f"token endpoint refused: {body.get('error', response.status_code)}"
                f" {body.get('error_description', '')}".rstrip()
            )
        return TokenSet.model_validate(body)

    async def _post_form(
        self, url: str, data: dict[str, str], *, authenticate: bool = True
    ) -> httpx.Response:
        auth: httpx.Auth | None = None
        payload = dict(data)
        if authenticate and self.settings.client_secret:
            auth = httpx.BasicAuth(self.client_id, self.settings.client_secret)
        else:
            payload["client_id"] = self.client_id
        try:
            return await self._client().post(
                url, data=payload, auth=auth or httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as exc:
            raise WebAuthError(f"cannot reach Keycloak: {type(exc).__name__}") from None

    # -- token validation ------------------------------------------------------------------

    async def validate_access_token(
        self, token: str, *, audience: str | None = None
    ) -> AccessTokenClaims:
        """Validate a bearer token locally (signature, issuer, lifetime, type, audience).

        Without `audience`, the token must be addressed to or issued for this client.
        """
        try:
            return await self._validator.validate_access_token(token, audience=audience)
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    async def validate_id_token(self, token: str, *, nonce: str | None) -> IdTokenClaims:
        try:
            return await self._validator.validate_id_token(token, nonce=nonce)
        except TokenValidationError as exc:
            raise LoginError(f"the ID token is not valid: {exc}") from None

    async def introspect(self, token: str) -> TokenIntrospection:
        url = await self.endpoint("introspection_endpoint")
        response = await self._post_form(url, {"token": token})
        if response.status_code != 200:
            raise WebAuthError(f"introspection answered HTTP {response.status_code}")
        return TokenIntrospection.model_validate(_json_object(response))

    async def validate_logout_token(self, token: str) -> LogoutTokenClaims:
        """OIDC Back-Channel Logout 1.0 §2.6; each `jti` is accepted once."""
        try:
            return await self._validator.validate_logout_token(token)
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    # -- UMA protection API ----------------------------------------------------------------

    async def pat(self) -> str:
        """A protection API token (client credentials), cached until shortly before expiry."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._pat is not None and self._pat.expires_at > time.time() + 10:
                return self._pat.token
            tokens = await self._token_request({"grant_type": "client_credentials"})
            self._pat = _Pat(tokens.access_token, time.time() + float(tokens.expires_in or 60))
            return self._pat.token

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
        headers = {"Authorization": f"Bearer {await self.pat()}"}
        params = {**query, "deep": "true", "max": "20"}
        try:
            response = await self._client().get(url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise ProtectionApiError(f"cannot reach Keycloak: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise ProtectionApiError(f"resource lookup answered HTTP {response.status_code}")
        found = response.json()
        if not isinstance(found, list):
            raise ProtectionApiError("resource lookup did not answer a list")
        return [_resource(item) for item in found if isinstance(item, dict)]

    async def create_ticket(self, resource_id: str, scopes: tuple[str, ...]) -> str:
        config = await self.uma_configuration()
        url = config.get("permission_endpoint")
        if not isinstance(url, str):
            raise ProtectionApiError("the realm does not advertise a permission endpoint")
        headers = {"Authorization": f"Bearer {await self.pat()}"}
        body = [{"resource_id": resource_id, "resource_scopes": list(scopes)}]
        try:
            response = await self._client().post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProtectionApiError(f"cannot reach Keycloak: {type(exc).__name__}") from None
        ticket = _json_object(response).get("ticket")
        if response.status_code not in (200, 201) or not isinstance(ticket, str):
            raise ProtectionApiError(f"ticket creation answered HTTP {response.status_code}")
        return ticket


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


def is_sdk_error(exc: BaseException) -> bool:
    return isinstance(exc, KeycloakError)
