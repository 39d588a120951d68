"""TokenManager: cached, refreshed before expiry, one request however many callers."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.token_manager import AsyncTokenManager, TokenManager

from tests.unit.flows.mock_server import ISSUER, FakeKeycloak, token_response


def _slow_token(form: dict[str, str]) -> httpx.Response:
    time.sleep(0.05)  # long enough for every caller to pile up on the refresh
    return token_response(f"token-{threading.get_ident()}")


def test_hundred_threads_one_token_request() -> None:
    server = FakeKeycloak(_slow_token)
    client = Client(
        issuer=ISSUER, client_id="svc", client_secret="s", http_client=server.sync_http()
    )
    manager = TokenManager(client)
    barrier = threading.Barrier(100)

    def get() -> str:
        barrier.wait()
        return manager.access_token()

    with ThreadPoolExecutor(max_workers=100) as pool:
        tokens = list(pool.map(lambda _: get(), range(100)))
    assert len(server.token_requests) == 1
    assert len(set(tokens)) == 1
    assert server.token_requests[0]["grant_type"] == "client_credentials"


async def test_hundred_tasks_one_token_request() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            await asyncio.sleep(0.05)
        return server.handler(request)

    server = FakeKeycloak(lambda form: token_response("shared"))
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = AsyncClient(issuer=ISSUER, client_id="svc", client_secret="s", http_client=http)
    manager = AsyncTokenManager(client)
    tokens = await asyncio.gather(*(manager.access_token() for _ in range(100)))
    assert set(tokens) == {"shared"}
    assert len(server.token_requests) == 1


def test_refreshes_before_expiry_with_skew() -> None:
    counter = iter(range(100))
    server = FakeKeycloak(lambda form: token_response(f"t{next(counter)}", expires_in=60))
    client = Client(
        issuer=ISSUER, client_id="svc", client_secret="s", http_client=server.sync_http()
    )
    now = [time.time()]
    manager = TokenManager(client, skew=30, clock=lambda: now[0])
    assert manager.access_token() == "t0"
    now[0] += 29  # 31 s left: still good
    assert manager.access_token() == "t0"
    now[0] += 2  # 29 s left: inside the skew, refreshed
    assert manager.access_token() == "t1"
    manager.invalidate()
    assert manager.access_token() == "t2"
    assert "t2" not in repr(manager)
