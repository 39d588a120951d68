"""Clients of the test realm, each test run once with `Client` and once with `AsyncClient`."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from keycloak_sdk.extensions.client import AsyncClient, Client

from tests.conftest import RunningKeycloak

REDIRECT_URI = "http://127.0.0.1/callback"
KEYS = Path(__file__).resolve().parents[2] / "realm" / "keys"
SECRETS = {
    "sdk-confidential": "sdk-confidential-secret",
    "sdk-ciba": "sdk-ciba-secret",
    "sdk-exchange": "sdk-exchange-secret",
    "sdk-short": "sdk-short-secret",
    "sdk-jwt": "sdk-jwt-secret",
}

AnyClient = Client | AsyncClient
MakeClient = Callable[..., AnyClient]


async def call(client: AnyClient, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call a method of either client; await it when the client is async."""
    result = getattr(client, method)(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


@pytest.fixture(params=["sync", "async"])
async def make_client(
    request: pytest.FixtureRequest, keycloak: RunningKeycloak
) -> AsyncIterator[MakeClient]:
    made: list[AnyClient] = []
    cls: type[Client] | type[AsyncClient] = Client if request.param == "sync" else AsyncClient

    def make(client_id: str = "sdk-confidential", **overrides: Any) -> AnyClient:
        settings: dict[str, Any] = {
            "issuer": keycloak.issuer,
            "client_id": client_id,
            "client_secret": SECRETS.get(client_id),
            "redirect_uri": REDIRECT_URI,
        }
        settings.update(overrides)
        client = cls(**settings)
        made.append(client)
        return client

    yield make
    for client in made:
        if isinstance(client, AsyncClient):
            await client.aclose()
        else:
            client.close()
