"""The I/O half of the runtime: the client base classes, on the transports of `_transport`.

`keycloak_sdk._runtime` describes and encodes operations without doing any I/O; this module
sends them. httpx and asyncio are imported when the first client is made.
"""

from __future__ import annotations

import warnings
from collections.abc import Coroutine, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, Self, TypeVar, cast

from keycloak_sdk._errors import EndpointNotAdvertisedError
from keycloak_sdk._runtime import (
    Call,
    Request,
    T,
    build_url,
    check_issuer,
    finish,
    prepare,
    url_of,
)
from keycloak_sdk._transport import DEFAULT_TIMEOUT, AsyncTransport, SyncTransport
from keycloak_sdk.auth import ClientAuthentication, ClientSecretBasic, NoClientAuthentication

if TYPE_CHECKING:
    import httpx

C = TypeVar("C")


# --- clients ---------------------------------------------------------------------------------


def resolve_auth(
    client_id: str, client_secret: str | None, auth: ClientAuthentication | None
) -> ClientAuthentication:
    if auth is not None:
        if client_secret is not None:
            raise ValueError("pass either client_secret or auth, not both")
        if auth.client_id != client_id:
            raise ValueError("auth.client_id differs from client_id")
        return auth
    if client_secret is not None:
        return ClientSecretBasic(client_id, client_secret)
    return NoClientAuthentication(client_id)


#: A discovery document a client loads on first use: how to fetch it.
DocumentLoaders = Mapping[str, Call[Any]]


class _ClientBase(Generic[C]):
    """State shared by the sync and async clients; `C` is the type of the primary metadata."""

    #: Secondary discovery documents by name (generated from the spec).
    _document_loaders: ClassVar[DocumentLoaders] = {}
    #: The primary discovery document (generated from the spec).
    _discovery: Call[Any]

    def __init__(
        self,
        metadata: C | Mapping[str, Any],
        *,
        client_id: str,
        client_secret: str | None,
        auth: ClientAuthentication | None,
        documents: Mapping[str, Any] | None,
    ) -> None:
        # A mapping is accepted for clients made from known URLs without discovery (the admin
        # client's token clients); `provider_metadata()` is then that mapping.
        self._metadata: C = cast("C", metadata)
        self.client_id = client_id
        self._auth = resolve_auth(client_id, client_secret, auth)
        self._documents: dict[str, Mapping[str, Any]] = {"": _as_dict(metadata)}
        self._parsed: dict[str, Any] = {}
        for name, document in (documents or {}).items():
            self._parsed[name] = document
            self._documents[name] = _as_dict(document)

    @property
    def issuer(self) -> str:
        """The issuer this client was opened with (as its discovery document states it)."""
        issuer: str = getattr(self._metadata, "issuer", None) or _as_dict(self._metadata)["issuer"]
        return issuer

    @property
    def metadata(self) -> C:
        """Deprecated: call `provider_metadata()`, the name the flow clients use too."""
        warnings.warn(
            "client.metadata is deprecated; use client.provider_metadata()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._metadata

    def _auth_for(self) -> ClientAuthentication:
        return self._auth

    def _resources(self) -> None:
        """Generated clients attach their operation groups (`self.oidc = ...`) here."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(issuer={self.issuer!r}, client_id={self.client_id!r})"

    def _url(self, call: Call[str]) -> str:
        return build_url(call, self._documents, self)

    def _needed_document(self, call: Call[Any]) -> str | None:
        endpoint = call.endpoint
        if endpoint.loads_document:
            return endpoint.loads_document
        if endpoint.document and endpoint.document not in self._documents:
            return endpoint.document
        return None

    def _loader(self, name: str) -> Call[Any]:
        loader = self._document_loaders.get(name)
        if loader is None:  # pragma: no cover - the generator pairs every document with a loader
            raise EndpointNotAdvertisedError(name)
        return loader

    def _keep(self, name: str, document: Any) -> Any:
        self._parsed[name] = document
        self._documents[name] = _as_dict(document)
        return document


def _as_dict(document: Any) -> Mapping[str, Any]:
    if isinstance(document, Mapping):
        return document
    as_dict: Mapping[str, Any] = document.to_dict()
    return as_dict


class SyncClientBase(_ClientBase[C]):
    """The I/O of a synchronous client; generated `KeycloakClient` adds its resources."""

    def __init__(
        self,
        metadata: C | Mapping[str, Any],
        *,
        client_id: str,
        client_secret: str | None = None,
        auth: ClientAuthentication | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        documents: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            metadata,
            client_id=client_id,
            client_secret=client_secret,
            auth=auth,
            documents=documents,
        )
        self._transport = SyncTransport(http_client, timeout)
        self._resources()

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        auth: ClientAuthentication | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
    ) -> Self:
        """Fetch the issuer's discovery document and build a client on it (one request)."""
        probe = SyncTransport(http_client, timeout)
        try:
            request = prepare_discovery(cls._discovery, issuer)
            metadata = finish(cls._discovery, probe.send(request))
            check_issuer(issuer, _as_dict(metadata).get("issuer"))
        except BaseException:
            probe.close()
            raise
        client = cls(
            metadata,
            client_id=client_id,
            client_secret=client_secret,
            auth=auth,
            timeout=timeout,
            http_client=probe.http,
        )
        # The pooled connection opened for discovery is the client's from now on.
        client._transport.owns_http_client = probe.owns_http_client
        return client

    def _send(self, call: Call[T]) -> T:
        needed = self._needed_document(call)
        if needed is not None and needed not in self._parsed:
            loader = self._loader(needed)
            self._keep(needed, self._request(loader))
        if call.endpoint.loads_document:
            loaded: T = self._parsed[call.endpoint.loads_document]
            return loaded
        return self._request(call)

    def _request(self, call: Call[T]) -> T:
        return finish(call, self._transport.send(prepare(call, self._documents, self)))

    def provider_metadata(self) -> C:
        """The server's discovery document, read by `from_issuer` (no request is made)."""
        return self._metadata

    def close(self) -> None:
        """Close the HTTP client if this client created it (a given `http_client` stays open)."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClientBase(_ClientBase[C]):
    """The I/O of an asynchronous client; generated `AsyncKeycloakClient` adds its resources."""

    def __init__(
        self,
        metadata: C | Mapping[str, Any],
        *,
        client_id: str,
        client_secret: str | None = None,
        auth: ClientAuthentication | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
        documents: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            metadata,
            client_id=client_id,
            client_secret=client_secret,
            auth=auth,
            documents=documents,
        )
        self._transport = AsyncTransport(http_client, timeout)
        self._resources()

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        auth: ClientAuthentication | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
    ) -> Opening[Self]:
        """Discover the issuer and build a client on it.

        Use it as `async with AsyncKeycloakClient.from_issuer(...) as client:` (closed at the
        end of the block) or `client = await AsyncKeycloakClient.from_issuer(...)`.
        """
        return Opening(
            cls._open(
                issuer,
                client_id=client_id,
                client_secret=client_secret,
                auth=auth,
                timeout=timeout,
                http_client=http_client,
            )
        )

    @classmethod
    async def _open(
        cls,
        issuer: str,
        *,
        client_id: str,
        client_secret: str | None,
        auth: ClientAuthentication | None,
        timeout: float,  # noqa: ASYNC109 - per-request httpx timeout
        http_client: httpx.AsyncClient | None,
    ) -> Self:
        probe = AsyncTransport(http_client, timeout)
        try:
            request = prepare_discovery(cls._discovery, issuer)
            metadata = finish(cls._discovery, await probe.send(request))
            check_issuer(issuer, _as_dict(metadata).get("issuer"))
        except BaseException:
            await probe.aclose()
            raise
        client = cls(
            metadata,
            client_id=client_id,
            client_secret=client_secret,
            auth=auth,
            timeout=timeout,
            http_client=probe.http,
        )
        client._transport.owns_http_client = probe.owns_http_client
        return client

    async def _send(self, call: Call[T]) -> T:
        needed = self._needed_document(call)
        if needed is not None and needed not in self._parsed:
            loader = self._loader(needed)
            self._keep(needed, await self._request(loader))
        if call.endpoint.loads_document:
            loaded: T = self._parsed[call.endpoint.loads_document]
            return loaded
        return await self._request(call)

    async def _request(self, call: Call[T]) -> T:
        return finish(call, await self._transport.send(prepare(call, self._documents, self)))

    async def provider_metadata(self) -> C:
        """The server's discovery document, read by `from_issuer` (no request is made).

        Awaited like every method of the async clients, the flow clients' included.
        """
        return self._metadata

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it (a given `http_client` stays open)."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def prepare_discovery(call: Call[Any], issuer: str) -> Request:
    """The request for the primary discovery document (before any metadata exists)."""
    url = url_of(call, {}, issuer)
    return Request("GET", url, {"Accept": call.endpoint.accept}, retry=call.endpoint.retry)


class _Closable(Protocol):
    async def aclose(self) -> None: ...


A = TypeVar("A", bound=_Closable)


class Opening(Generic[A]):
    """An async client being opened: `await` it, or use it directly in `async with`."""

    __slots__ = ("_client", "_pending")

    def __init__(self, pending: Coroutine[Any, Any, A]) -> None:
        self._pending = pending
        self._client: A | None = None

    def __await__(self) -> Generator[Any, None, A]:
        return self._pending.__await__()

    async def __aenter__(self) -> A:
        self._client = await self._pending
        return self._client

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()


__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncClientBase",
    "AsyncTransport",
    "DocumentLoaders",
    "Opening",
    "SyncClientBase",
    "SyncTransport",
]
