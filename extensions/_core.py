"""The one place where the flow layer talks to the server: through the generated core.

Flows are written once, as generators that yield *operations* and receive their results:
`CoreCall` (a method of `keycloak_sdk.KeycloakClient`, e.g. `oidc.token_refresh`), `Discover`
(the provider metadata), `Sleep`, `Now` and the local validations. `SyncDriver` performs a
`CoreCall` on a `KeycloakClient`, `AsyncDriver` awaits the same name on an
`AsyncKeycloakClient` — the generator gives both clients the same names, so one flow serves
both. HTTP, timeouts, client authentication and error mapping are therefore the core's; this
layer adds the state machines (login, polling, PAT caching) and token validation.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from keycloak_sdk.extensions.errors import ConfigurationError

from keycloak_sdk import AsyncKeycloakClient, KeycloakClient
from keycloak_sdk.errors import DiscoveryError, KeycloakError

if TYPE_CHECKING:
    import httpx

    from keycloak_sdk.auth import ClientAuthentication

    # A pydantic document: imported for annotations only, so importing the flows stays cheap.
    from keycloak_sdk.models import ProviderMetadata

T = TypeVar("T")

# The core client's namespaces a flow may call into (`client.<namespace>.<method>`).
Namespace: TypeAlias = Literal[
    "oidc",
    "uma",
    "uma.resource_sets",
    "uma.permission_tickets",
    "uma.tickets",
    "uma.policies",
    "registration",
]


@dataclass(frozen=True)
class CoreCall:
    """`core.<namespace>.<method>(*args, **kwargs)` on the generated client."""

    namespace: Namespace
    method: str
    # Arguments carry tokens and secrets: never in a repr.
    args: tuple[Any, ...] = field(default=(), repr=False)
    kwargs: Mapping[str, Any] = field(default_factory=dict, repr=False)


def oidc(method: str, *args: Any, **kwargs: Any) -> CoreCall:
    return CoreCall("oidc", method, args, kwargs)


def uma(namespace: Namespace, method: str, *args: Any, **kwargs: Any) -> CoreCall:
    return CoreCall(namespace, method, args, kwargs)


def registration(method: str, *args: Any, **kwargs: Any) -> CoreCall:
    return CoreCall("registration", method, args, kwargs)


@dataclass(frozen=True)
class Discover:
    """Ask for the provider metadata (discovery happens once, when the core client is made)."""


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Now:
    """Ask the driver for its clock (injectable in tests)."""


@dataclass(frozen=True)
class ValidateIdToken:
    id_token: str = field(repr=False)
    nonce: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    max_age: int | None = None
    # From a refresh grant (OIDC Core 12.2): a nonce may be present, equal to the original's.
    refreshed: bool = False
    original_nonce: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ValidateAccessToken:
    token: str = field(repr=False)


@dataclass(frozen=True)
class ValidateJwt:
    """A signed JWT response (e.g. `application/jwt` userinfo) to verify with the realm keys."""

    token: str = field(repr=False)
    audience: str


Operation: TypeAlias = (
    CoreCall | Discover | Sleep | Now | ValidateIdToken | ValidateAccessToken | ValidateJwt
)
Flow: TypeAlias = Generator[Operation, Any, T]


def _target(core: KeycloakClient | AsyncKeycloakClient, call: CoreCall) -> Callable[..., Any]:
    target: Any = core
    for part in call.namespace.split("."):
        target = getattr(target, part)
    method: Callable[..., Any] = getattr(target, call.method)
    return method


def _refused(exc: DiscoveryError) -> ConfigurationError:
    # OIDC Discovery §4.3: a document naming another issuer means server_url/realm are wrong.
    return ConfigurationError("server_url", str(exc))


class SyncDriver:
    """Performs flow operations on one `KeycloakClient`, made (with discovery) on first use."""

    def __init__(
        self,
        *,
        auth: ClientAuthentication,
        issuer: str,
        timeout: float,
        http_client: httpx.Client | None,
        validate: Callable[[Operation], Any],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth = auth
        self.issuer = issuer
        self.timeout = timeout
        self._http_client = http_client
        self._core: KeycloakClient | None = None
        self._core_lock = threading.Lock()
        self._validate = validate
        self.sleep = sleep
        self.clock = clock

    def core(self) -> KeycloakClient:
        """The generated client; a failed discovery is retried by the next call."""
        with self._core_lock:
            if self._core is None:
                try:
                    self._core = KeycloakClient.from_issuer(
                        self.issuer,
                        client_id=self.auth.client_id,
                        auth=self.auth,
                        timeout=self.timeout,
                        http_client=self._http_client,
                    )
                except DiscoveryError as exc:
                    raise _refused(exc) from None
            return self._core

    def metadata(self) -> ProviderMetadata:
        return self.core().provider_metadata()

    def perform(self, op: Operation) -> Any:
        if isinstance(op, CoreCall):
            return _target(self.core(), op)(*op.args, **op.kwargs)
        if isinstance(op, Discover):
            return self.metadata()
        if isinstance(op, Sleep):
            self.sleep(op.seconds)
            return None
        if isinstance(op, Now):
            return self.clock()
        return self._validate(op)

    def run(self, flow: Flow[T]) -> T:
        try:
            op = next(flow)
            while True:
                try:
                    result = self.perform(op)
                except KeycloakError as exc:
                    op = flow.throw(exc)
                else:
                    op = flow.send(result)
        except StopIteration as stop:
            value: T = stop.value
            return value

    def close(self) -> None:
        with self._core_lock:
            if self._core is not None:
                self._core.close()  # leaves a caller-given http_client open
                self._core = None


class AsyncDriver:
    """Performs flow operations on one `AsyncKeycloakClient`, made on first use."""

    def __init__(
        self,
        *,
        auth: ClientAuthentication,
        issuer: str,
        timeout: float,
        http_client: httpx.AsyncClient | None,
        validate: Callable[[Operation], Any],
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # asyncio is imported when an async client is made, not with the flows.
        import asyncio

        self.auth = auth
        self.issuer = issuer
        self.timeout = timeout
        self._http_client = http_client
        self._core: AsyncKeycloakClient | None = None
        self._validate = validate
        self.sleep = sleep if sleep is not None else asyncio.sleep
        self.clock = clock

    async def core(self) -> AsyncKeycloakClient:
        if self._core is None:
            try:
                core = await AsyncKeycloakClient.from_issuer(
                    self.issuer,
                    client_id=self.auth.client_id,
                    auth=self.auth,
                    timeout=self.timeout,
                    http_client=self._http_client,
                )
            except DiscoveryError as exc:
                raise _refused(exc) from None
            # Concurrent first calls may each discover; the first one kept wins.
            if self._core is None:
                self._core = core
            else:
                await core.aclose()
        return self._core

    async def metadata(self) -> ProviderMetadata:
        return await (await self.core()).provider_metadata()

    async def perform(self, op: Operation) -> Any:
        if isinstance(op, CoreCall):
            result = _target(await self.core(), op)(*op.args, **op.kwargs)
            # URL builders (authorization_url, end_session_url) are plain methods in both.
            return await result if inspect.isawaitable(result) else result
        if isinstance(op, Discover):
            return await self.metadata()
        if isinstance(op, Sleep):
            await self.sleep(op.seconds)
            return None
        if isinstance(op, Now):
            return self.clock()
        result = self._validate(op)
        if inspect.iscoroutine(result):
            return await result
        return result

    async def run(self, flow: Flow[T]) -> T:
        try:
            op = next(flow)
            while True:
                try:
                    result = await self.perform(op)
                except KeycloakError as exc:
                    op = flow.throw(exc)
                else:
                    op = flow.send(result)
        except StopIteration as stop:
            value: T = stop.value
            return value

    async def aclose(self) -> None:
        if self._core is not None:
            core, self._core = self._core, None
            await core.aclose()


__all__ = [
    "AsyncDriver",
    "CoreCall",
    "Discover",
    "Flow",
    "Now",
    "Operation",
    "Sleep",
    "SyncDriver",
    "ValidateAccessToken",
    "ValidateIdToken",
    "ValidateJwt",
    "oidc",
    "uma",
]
