"""Clients of the test realm, each test run once with `Client` and once with `AsyncClient`."""

from __future__ import annotations

import inspect
import json
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


@dataclass(frozen=True)
class CibaChannelRequest:
    bearer: str
    body: dict[str, Any]


class CibaChannel:
    """The user's authentication device: Keycloak POSTs each CIBA request to the channel URI
    the harness configured (`keycloak.ciba_channel_uri`); this receiver listens there."""

    def __init__(self, uri: str) -> None:
        parts = urlsplit(uri)
        assert parts.hostname == "127.0.0.1" and parts.port, uri
        self.requests: queue.Queue[CibaChannelRequest] = queue.Queue()
        channel = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
                channel.requests.put(CibaChannelRequest(bearer, body))
                self.send_response(201)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", parts.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next_request(self, timeout: float = 10.0) -> CibaChannelRequest:
        return self.requests.get(timeout=timeout)


# Module scope: tests/integration/test_realm.py listens on the same channel port after us.
@pytest.fixture(scope="module")
def ciba_channel(keycloak: RunningKeycloak) -> Iterator[CibaChannel]:
    if not keycloak.ciba_channel_uri:
        pytest.fail(
            "the reused Keycloak has no CIBA channel: start it with `make keycloak-up` or set "
            "KC_SPI_CIBA_AUTH_CHANNEL__CIBA_HTTP_AUTH_CHANNEL__HTTP_AUTHENTICATION_CHANNEL_URI"
        )
    channel = CibaChannel(keycloak.ciba_channel_uri)
    channel.thread.start()
    yield channel
    channel.server.shutdown()
    channel.server.server_close()
