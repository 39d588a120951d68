"""Clients of the test realm, each test run once with `Client` and once with `AsyncClient`
(tests/helpers/flow_clients.py says how a test calls them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from keycloak_sdk.extensions.client import AsyncClient, Client

from tests.helpers.flow_clients import REDIRECT_URI, SECRETS, AnyClient, MakeClient
from tests.helpers.keycloak import RunningKeycloak


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
