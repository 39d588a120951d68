"""The engine's calls to Keycloak and to the session store, as values (sans-IO).

Like the flows in `extensions/_flows.py`, the engine is written once as generators that yield
`EngineCall`s and receive their results; a driver performs them. `run_sync` performs them with the
blocking gateway and store (WSGI, Django: the request's own thread, no event loop, no hop to
another thread); `run_async` awaits them (ASGI). An exception raised by a call is thrown back
into the engine at the point of the `yield`, so the engine's `try`/`except` read as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

T = TypeVar("T")

Target = Literal["gateway", "store", "body"]


@dataclass(frozen=True, slots=True)
class EngineCall:
    """`target.name(*args, **kwargs)`: on the gateway, the session store, or the body reader."""

    target: Target
    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


Steps = Generator[EngineCall, Any, T]


def gateway(name: str, *args: Any, **kwargs: Any) -> Steps[Any]:
    return (yield EngineCall("gateway", name, args, kwargs))


def store(name: str, *args: Any) -> Steps[Any]:
    return (yield EngineCall("store", name, args))


def body(limit: int) -> Steps[bytes]:
    data: bytes = yield EngineCall("body", "read", (limit,))
    return data


# What `answer_locally` returns for a call it cannot answer without I/O.
NEEDS_IO: Any = object()


def answer_locally(gateway: Any, call: EngineCall) -> Any:
    """The result of `call` when it needs no I/O, else `NEEDS_IO`: a bearer token's full
    validation once the realm's signing key is known (a repeated token is a hit in the
    verified-token cache, expiry and audience checked again). Raises what the call raises
    (a refused token)."""
    if call.name == "validate_access_token" and call.target == "gateway":
        now = getattr(gateway, "validate_access_token_now", None)
        if now is not None:
            claims = now(*call.args, **call.kwargs)
            if claims is not None:
                return claims
    return NEEDS_IO


@dataclass(frozen=True, slots=True)
class Finished:
    """The steps' result, reached without any call that needs I/O."""

    value: Any


def start(steps: Steps[T], gateway: Any) -> Finished | EngineCall:
    """Run `steps` while every call is answered locally: their result, or the first call
    that needs I/O (hand it to `run_sync`/`run_async` as `pending`). A request that needs no
    I/O, the common case of a repeated bearer token, then costs no deadline and no driver."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            call = steps.send(value) if error is None else steps.throw(error)
        except StopIteration as done:
            return Finished(done.value)
        value, error = None, None
        try:
            value = answer_locally(gateway, call)
        except Exception as exc:  # thrown back into the engine where it yielded
            error = exc
            continue
        if value is NEEDS_IO:
            return call


class SyncTargets:
    """What `run_sync` performs calls on."""

    def __init__(self, gateway: Any, store: Any, read_body: Callable[[int], bytes]) -> None:
        self.gateway = gateway
        self.store = store
        self.read_body = read_body

    def perform(self, call: EngineCall) -> Any:
        if call.target == "body":
            return self.read_body(*call.args)
        target = self.gateway if call.target == "gateway" else self.store
        return getattr(target, call.name)(*call.args, **call.kwargs)


class AsyncTargets:
    """What `run_async` awaits calls on."""

    def __init__(
        self, gateway: Any, store: Any, read_body: Callable[[int], Awaitable[bytes]]
    ) -> None:
        self.gateway = gateway
        self.store = store
        self.read_body = read_body

    async def perform(self, call: EngineCall) -> Any:
        if call.target == "body":
            return await self.read_body(*call.args)
        target = self.gateway if call.target == "gateway" else self.store
        return await getattr(target, call.name)(*call.args, **call.kwargs)


def run_sync(steps: Steps[T], targets: SyncTargets, pending: EngineCall | None = None) -> T:
    """Perform the calls of `steps` (starting with `pending`, already yielded by them)."""
    value: Any = None
    error: Exception | None = None
    while True:
        if pending is None:
            try:
                call = steps.send(value) if error is None else steps.throw(error)
            except StopIteration as done:
                result: T = done.value
                return result
        else:
            call, pending = pending, None
        value, error = None, None
        try:
            value = targets.perform(call)
        except Exception as exc:  # thrown back into the engine where it yielded
            value, error = None, exc


async def run_async(steps: Steps[T], targets: AsyncTargets, pending: EngineCall | None = None) -> T:
    """Await the calls of `steps` (starting with `pending`, already yielded by them)."""
    value: Any = None
    error: Exception | None = None
    while True:
        if pending is None:
            try:
                call = steps.send(value) if error is None else steps.throw(error)
            except StopIteration as done:
                result: T = done.value
                return result
        else:
            call, pending = pending, None
        value, error = None, None
        try:
            value = await targets.perform(call)
        except Exception as exc:  # thrown back into the engine where it yielded
            value, error = None, exc
