"""The one place where the web integrations call the SDK's flow and validation layers.

Two gateways with the same method names: `KeycloakGateway` awaits (ASGI) and
`SyncKeycloakGateway` blocks (WSGI, Django); the engine's steps call either by name.

Everything the framework code needs from Keycloak goes through `KeycloakGateway`: the flow
layer's `AsyncClient` (discovery, login with state/nonce/PKCE, refresh, logout URL,
introspection, PAT, permission tickets, and through its generated `AsyncKeycloakClient` the
realm keys, UMA discovery and the resource lookup by `matchingUri`) and the validation layer's
`AsyncTokenValidator` (access and logout tokens, with a jti replay store). No request is made
here directly. Errors are translated here into the few the engine distinguishes:
`LoginError` (the user must log in again), `InvalidBearerTokenError`, and any other
`KeycloakError` (Keycloak unreachable or misbehaving: 502). When the flow or validation
clients change their names, this module is the single edit.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions.claims import (
    AccessTokenClaims,
    IdTokenClaims,
    LogoutTokenClaims,
)
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.errors import KeycloakError, LoginError, TransportError
from keycloak_sdk.extensions.jose.errors import JwksUnavailableError, TokenValidationError
from keycloak_sdk.extensions.jose.jwks import AsyncJwksCache, JwksCache, JwksResponse
from keycloak_sdk.extensions.jose.stores import AsyncReplayStore, ReplayStore
from keycloak_sdk.extensions.login import LoginTransaction
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.token_manager import AsyncTokenManager, TokenManager
from keycloak_sdk.extensions.tokens import TokenSet
from keycloak_sdk.extensions.uma import TicketPermission
from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator
from keycloak_sdk.extensions.web.errors import InvalidBearerTokenError, ProtectionApiError

from keycloak_sdk.errors import ApiError, EndpointNotAdvertisedError, UnauthorizedError
from keycloak_sdk.models import IntrospectionResponse, Resource, UmaProviderMetadata

if TYPE_CHECKING:
    import httpx

__all__ = [
    "KeycloakGateway",
    "LoginTransaction",
    "ResourceDescription",
    "SyncKeycloakGateway",
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
        settings: ClientSettings,
        *,
        replay_store: AsyncReplayStore | None = None,
    ) -> None:
        self.settings = settings
        self._client: AsyncClient | None = None
        self._jwks = AsyncJwksCache(
            self._fetch_jwks,
            refetch_cooldown=settings.jwks_refetch_cooldown,
            max_stale=settings.jwks_max_stale,
        )
        self._validator = AsyncTokenValidator(
            issuer=settings.issuer,
            client_id=settings.client_id,
            jwks=self._jwks,
            audience=settings.token_audience or None,
            accept_azp_as_audience=settings.accept_azp_as_audience,
            verified_token_cache_size=4096,
            replay_store=replay_store,
        )
        # The validator's time source and its verified-token cache's expiries: the engine's
        # answers to a repeated token end by them too.
        self.clock: Callable[[], float] = self._validator.clock
        verified = self._validator.verified_tokens
        self.cached_until: Callable[[str], float | None] = (
            _never if verified is None else verified.expires_at
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
            self._pat_manager = None

    def _flows(self) -> AsyncClient:
        self._same_loop()
        if self._client is None:
            self._client = AsyncClient(self.settings)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- discovery -------------------------------------------------------------------------

    async def uma_configuration(self) -> UmaProviderMetadata:
        try:
            return await (await self._flows().core()).uma.metadata()
        except (EndpointNotAdvertisedError, ApiError) as exc:
            raise ProtectionApiError(f"UMA discovery failed: {type(exc).__name__}") from None

    async def _fetch_jwks(self) -> JwksResponse:
        keys = await (await self._flows().core()).oidc.jwks_response()
        return JwksResponse(keys.content, keys.cache_control)

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

        `audience` (else the settings' audience) must be in the token's `aud`; without one,
        the token must be addressed to or issued for this client (docs/token-validation.md).
        """
        try:
            return await self._validator.validate_access_token(token, audience=audience)
        except JwksUnavailableError:
            # Keycloak's keys cannot be fetched: not the caller's fault (502, not 401).
            raise TransportError("the realm's signing keys are unavailable") from None
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    def validate_access_token_now(
        self, token: str, *, audience: str | None = None
    ) -> AccessTokenClaims | None:
        """`validate_access_token` when it needs no I/O (a repeated token, or a new one whose
        signing key is already known; every check runs): the claims, or None when a key
        must be fetched first. No await, so the engine answers such a request without a
        Keycloak round trip's machinery (deadline, driver)."""
        try:
            return self._validator.validate_access_token_now(token, audience=audience)
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    async def introspect(self, token: str) -> IntrospectionResponse:
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
        return await self._find_resources(uri=uri, matching_uri=True)

    async def find_resources_by_name(self, name: str) -> list[ResourceDescription]:
        return await self._find_resources(name=name, exact_name=True)

    async def _find_resources(self, **query: Any) -> list[ResourceDescription]:
        core = await self._flows().core()
        for attempt in (1, 2):
            try:
                found = await core.uma.resource_sets.list(await self.pat(), max=20, **query)
            except UnauthorizedError:
                if attempt == 2 or self._pat_manager is None:
                    raise ProtectionApiError("resource lookup answered HTTP 401") from None
                await self._pat_manager.invalidate()  # revoked or expired early: a new PAT
            except EndpointNotAdvertisedError:
                raise ProtectionApiError(
                    "the realm does not advertise resource registration"
                ) from None
            except ApiError as exc:
                raise ProtectionApiError(
                    f"resource lookup answered HTTP {exc.status_code}"
                ) from None
            else:
                return [_resource(item) for item in found]
        raise AssertionError("unreachable")  # pragma: no cover

    async def create_ticket(self, resource_id: str, scopes: tuple[str, ...]) -> str:
        permission = TicketPermission(resource_id=resource_id, resource_scopes=scopes)
        return await self._flows().ticket([permission], pat=await self.pat())


# When the current synchronous request must be answered by (time.monotonic()); None: no limit.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "keycloak_sdk_web_deadline", default=None
)


def _deadline_transport() -> httpx.BaseTransport:
    import httpx

    class DeadlineTransport(httpx.HTTPTransport):
        """Cuts every timeout of a request to what is left of the web request's deadline:
        a Keycloak that accepts connections but never answers costs a visitor one deadline
        (then a 503), not the sum of every round trip's timeouts and retries."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            ends = _deadline.get()
            if ends is not None:
                left = ends - time.monotonic()
                if left <= 0:
                    raise httpx.ReadTimeout("the request's deadline has passed", request=request)
                timeouts = request.extensions.get("timeout") or {}
                request.extensions["timeout"] = {
                    key: left if timeouts.get(key) is None else min(timeouts[key], left)
                    for key in ("connect", "read", "write", "pool")
                }
            return super().handle_request(request)

    return DeadlineTransport()


class SyncKeycloakGateway:
    """`KeycloakGateway` with blocking calls on the sync flow client, for WSGI and Django:
    called in the request's own thread (thread-safe), no event loop. Made again in a forked
    child (nothing made before a fork is shared with the workers)."""

    def __init__(
        self, settings: ClientSettings, *, replay_store: ReplayStore | None = None
    ) -> None:
        self.settings = settings
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._client: Client | None = None
        self._jwks = JwksCache(
            self._fetch_jwks,
            refetch_cooldown=settings.jwks_refetch_cooldown,
            max_stale=settings.jwks_max_stale,
        )
        self._validator = TokenValidator(
            issuer=settings.issuer,
            client_id=settings.client_id,
            jwks=self._jwks,
            audience=settings.token_audience or None,
            accept_azp_as_audience=settings.accept_azp_as_audience,
            verified_token_cache_size=4096,
            replay_store=replay_store,
        )
        # The validator's time source and its verified-token cache's expiries: the engine's
        # answers to a repeated token end by them too.
        self.clock: Callable[[], float] = self._validator.clock
        verified = self._validator.verified_tokens
        self.cached_until: Callable[[str], float | None] = (
            _never if verified is None else verified.expires_at
        )
        self._pat_manager: TokenManager | None = None

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    @property
    def client_id(self) -> str:
        return self.settings.client_id

    @staticmethod
    @contextmanager
    def deadline(seconds: float) -> Iterator[None]:
        """Every Keycloak round trip within this block ends `seconds` from now at the latest."""
        token = _deadline.set(time.monotonic() + seconds)
        try:
            yield
        finally:
            _deadline.reset(token)

    def _flows(self) -> Client:
        client = self._client
        if client is None or self._pid != os.getpid():
            with self._lock:
                if self._client is None or self._pid != os.getpid():
                    import httpx

                    self._pid = os.getpid()
                    self._pat_manager = None
                    http = httpx.Client(
                        transport=_deadline_transport(), timeout=self.settings.timeout
                    )
                    self._client = Client(self.settings, http_client=http)
                client = self._client
        return client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def uma_configuration(self) -> UmaProviderMetadata:
        try:
            return self._flows().core().uma.metadata()
        except (EndpointNotAdvertisedError, ApiError) as exc:
            raise ProtectionApiError(f"UMA discovery failed: {type(exc).__name__}") from None

    def _fetch_jwks(self) -> JwksResponse:
        keys = self._flows().core().oidc.jwks_response()
        return JwksResponse(keys.content, keys.cache_control)

    def begin_login(self, redirect_uri: str) -> LoginTransaction:
        return self._flows().begin_login(redirect_uri=redirect_uri)

    def complete_login(
        self, transaction: LoginTransaction, query: Mapping[str, str]
    ) -> tuple[TokenSet, IdTokenClaims]:
        try:
            result = self._flows().complete_login(transaction, query)
        except TransportError:
            raise
        except (KeycloakError, TokenValidationError) as exc:
            raise LoginError(f"login refused: {type(exc).__name__}: {exc}") from None
        return result.tokens, result.id_token_claims

    def refresh(self, refresh_token: str) -> TokenSet:
        try:
            return self._flows().refresh(refresh_token)
        except TransportError:
            raise
        except (KeycloakError, TokenValidationError) as exc:
            raise LoginError(f"refresh refused: {type(exc).__name__}") from None

    def end_session_url(
        self, *, id_token_hint: str | None, post_logout_redirect_uri: str | None
    ) -> str:
        return self._flows().logout_url(
            id_token_hint=id_token_hint, post_logout_redirect_uri=post_logout_redirect_uri
        )

    def validate_access_token(
        self, token: str, *, audience: str | None = None
    ) -> AccessTokenClaims:
        try:
            return self._validator.validate_access_token(token, audience=audience)
        except JwksUnavailableError:
            raise TransportError("the realm's signing keys are unavailable") from None
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    def validate_access_token_now(
        self, token: str, *, audience: str | None = None
    ) -> AccessTokenClaims | None:
        """`validate_access_token` when it needs no I/O (a repeated token, or a new one whose
        signing key is already known; every check runs): the claims, or None when a key
        must be fetched first. No await, so the engine answers such a request without a
        Keycloak round trip's machinery (deadline, driver)."""
        try:
            return self._validator.validate_access_token_now(token, audience=audience)
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    def introspect(self, token: str) -> IntrospectionResponse:
        return self._flows().introspect(token)

    def validate_logout_token(self, token: str) -> LogoutTokenClaims:
        try:
            return self._validator.validate_logout_token(token)
        except TokenValidationError as exc:
            raise InvalidBearerTokenError(str(exc)) from None

    def pat(self) -> str:
        client = self._flows()
        if self._pat_manager is None:
            self._pat_manager = TokenManager(client, source="pat")
        return self._pat_manager.access_token()

    def find_resources_by_uri(self, uri: str) -> list[ResourceDescription]:
        return self._find_resources(uri=uri, matching_uri=True)

    def find_resources_by_name(self, name: str) -> list[ResourceDescription]:
        return self._find_resources(name=name, exact_name=True)

    def _find_resources(self, **query: Any) -> list[ResourceDescription]:
        core = self._flows().core()
        for attempt in (1, 2):
            try:
                found = core.uma.resource_sets.list(self.pat(), max=20, **query)
            except UnauthorizedError:
                if attempt == 2 or self._pat_manager is None:
                    raise ProtectionApiError("resource lookup answered HTTP 401") from None
                self._pat_manager.invalidate()
            except EndpointNotAdvertisedError:
                raise ProtectionApiError(
                    "the realm does not advertise resource registration"
                ) from None
            except ApiError as exc:
                raise ProtectionApiError(
                    f"resource lookup answered HTTP {exc.status_code}"
                ) from None
            else:
                return [_resource(item) for item in found]
        raise AssertionError("unreachable")  # pragma: no cover

    def create_ticket(self, resource_id: str, scopes: tuple[str, ...]) -> str:
        permission = TicketPermission(resource_id=resource_id, resource_scopes=scopes)
        return self._flows().ticket([permission], pat=self.pat())


def _resource(item: Resource) -> ResourceDescription:
    scopes = item.resource_scopes or []
    return ResourceDescription(
        id=item.id or "",
        name=item.name or "",
        uris=tuple(item.uris or ()),
        scopes=tuple(scope.name for scope in scopes if isinstance(scope.name, str)),
    )


def _never(token: str) -> float | None:
    """`cached_until` without a verified-token cache: no token is ever answered from it."""
    return None
