"""The flow tests' clients: each test runs once with `Client` and once with `AsyncClient`.

A test calls the client it is given and passes the result to `maybe`, which awaits it when
the client is async: `await maybe(kc.password_grant("alice", "alice-password"))`. The call is
written as a method call, so mypy checks its name, arguments and result against both classes.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar, cast

from keycloak_sdk.extensions.client import AsyncClient, Client

REDIRECT_URI = "http://127.0.0.1/callback"
KEYS = Path(__file__).resolve().parents[1] / "realm" / "keys"
SECRETS = {
    "sdk-confidential": "sdk-confidential-secret",
    "sdk-ciba": "sdk-ciba-secret",
    "sdk-exchange": "sdk-exchange-secret",
    "sdk-short": "sdk-short-secret",
    "sdk-jwt": "sdk-jwt-secret",
}

AnyClient = Client | AsyncClient
MakeClient = Callable[..., AnyClient]

T = TypeVar("T")


async def maybe(result: Awaitable[T] | T) -> T:
    """The result of a `Client` call as it is, or of an `AsyncClient` call awaited."""
    if inspect.isawaitable(result):
        return cast(T, await result)
    return result
