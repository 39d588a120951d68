"""Resources: each builder bound as a sync, async, paging or URL method with its exact
signature. Part of `keycloak_sdk._runtime`."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    ParamSpec,
    Protocol,
    TypeVar,
)

from keycloak_sdk._calls import Call

if TYPE_CHECKING:
    pass


# httpx (and asyncio) are imported when the first client is made, not when keycloak_sdk is:
# `from keycloak_sdk import KeycloakClient` stays cheap.

T = TypeVar("T")
P = ParamSpec("P")


# --- resources: operations as methods -----------------------------------------------------------


class _SyncSender(Protocol):
    """What a resource needs from its client (`keycloak_sdk._clients.SyncClientBase`)."""

    def _send(self, call: Call[T]) -> T: ...

    def _url(self, call: Call[str]) -> str: ...


class _AsyncSender(Protocol):
    """What a resource needs from its client (`keycloak_sdk._clients.AsyncClientBase`)."""

    async def _send(self, call: Call[T]) -> T: ...

    def _url(self, call: Call[str]) -> str: ...


class SyncResource:
    """A group of operations of a `KeycloakClient` (one spec tag): `client.<name>`."""

    __slots__ = ("_client",)

    def __init__(self, client: _SyncSender) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncResource:
    """A group of operations of an `AsyncKeycloakClient` (one spec tag)."""

    __slots__ = ("_client",)

    def __init__(self, client: _AsyncSender) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def _result_annotation(build: Callable[..., Any]) -> Any:
    # Builders return `rt.Call[X]`; the method returns X.
    returns = inspect.signature(build).return_annotation
    if isinstance(returns, str) and returns.startswith("rt.Call[") and returns.endswith("]"):
        return returns[len("rt.Call[") : -1]
    return returns


def _as_method(function: Callable[..., Any], build: Callable[..., Any], returns: Any) -> None:
    # The method shows the builder's name, docs and parameters (help(), IDEs, mkdocstrings).
    function.__name__ = build.__name__.lstrip("_").rsplit("__", 1)[-1]
    function.__qualname__ = function.__name__
    function.__doc__ = build.__doc__
    function.__module__ = build.__module__
    signature = inspect.signature(build)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    function.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[this, *signature.parameters.values()], return_annotation=returns
    )


def sync_method(build: Callable[P, Call[T]]) -> Callable[Concatenate[SyncResource, P], T]:
    """The blocking method for an operation builder."""

    def method(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._client._send(build(*args, **kwargs))

    _as_method(method, build, _result_annotation(build))
    return method


def async_method(
    build: Callable[P, Call[T]],
) -> Callable[Concatenate[AsyncResource, P], Awaitable[T]]:
    """The coroutine method for an operation builder."""

    async def method(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._client._send(build(*args, **kwargs))

    _as_method(method, build, _result_annotation(build))
    return method


def _pages(
    build: Callable[..., Call[list[T]]], offset: str, limit: str, args: Any, kwargs: Any
) -> tuple[Callable[[int], Call[list[T]]], int, int]:
    size = int(kwargs.pop(limit, None) or DEFAULT_PAGE_SIZE)
    start = kwargs.pop(offset, None) or 0

    def page(first: int) -> Call[list[T]]:
        return build(*args, **{**kwargs, offset: first, limit: size})

    return page, int(start), size


DEFAULT_PAGE_SIZE = 100


def sync_pages(
    build: Callable[P, Call[list[T]]], offset: str, limit: str
) -> Callable[Concatenate[SyncResource, P], Iterator[T]]:
    """Every item of a paged list: pages of `limit` items (default 100) from `offset` on."""

    def method(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        page, first, size = _pages(build, offset, limit, args, kwargs)
        while True:
            items = self._client._send(page(first))
            yield from items
            if len(items) < size:
                return
            first += len(items)

    _as_method(method, build, f"Iterator[{_item_annotation(build)}]")
    method.__name__ = method.__qualname__ = "iter_" + method.__name__
    return method


def async_pages(
    build: Callable[P, Call[list[T]]], offset: str, limit: str
) -> Callable[Concatenate[AsyncResource, P], AsyncIterator[T]]:
    """Every item of a paged list, page by page (`async for`)."""

    async def method(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
        page, first, size = _pages(build, offset, limit, args, kwargs)
        while True:
            items = await self._client._send(page(first))
            for item in items:
                yield item
            if len(items) < size:
                return
            first += len(items)

    _as_method(method, build, f"AsyncIterator[{_item_annotation(build)}]")
    method.__name__ = method.__qualname__ = "iter_" + method.__name__
    return method


def _item_annotation(build: Callable[..., Any]) -> str:
    returns = str(_result_annotation(build))
    return returns[len("list[") : -1] if returns.startswith("list[") else returns


def url_method(
    build: Callable[P, Call[str]],
) -> Callable[Concatenate[SyncResource | AsyncResource, P], str]:
    """A method that renders an operation's URL for a browser; nothing is sent."""

    def method(self: SyncResource | AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> str:
        return self._client._url(build(*args, **kwargs))

    _as_method(method, build, "str")
    return method
