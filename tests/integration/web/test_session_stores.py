"""The session stores: one contract (in-memory and Redis), what Redis holds, Redis outages.

Redis is Debian's redis-server, started by the harness on a free loopback port.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from keycloak_sdk.extensions.web.redis_store import RedisSessionStore
from keycloak_sdk.extensions.web.sessions import (
    InMemorySessionStore,
    SessionRecord,
    SessionStore,
    SessionTicket,
    StoredTokens,
)
from redis import Redis

from examples import example_settings
from harness.redis import RedisServer
from tests.helpers.keycloak import RunningKeycloak
from tests.integration.web._login import browser_login
from tests.integration.web._servers import free_port, serve_asgi

pytestmark = pytest.mark.asyncio(loop_scope="function")

TOKENS = StoredTokens("eyJ.access.token", "eyJ.refresh.token", "eyJ.id.token", 1e12, None)


def _record(sid: str | None = "sid-1", sub: str | None = "sub-1") -> SessionRecord:
    return SessionRecord(
        expires_at=time.time() + 60, tokens=TOKENS, sid=sid, sub=sub, user={"name": "Alice"}
    )


@pytest_asyncio.fixture(params=["memory", "redis"], loop_scope="function")
async def store(request: pytest.FixtureRequest) -> AsyncIterator[SessionStore]:
    if request.param == "memory":
        yield InMemorySessionStore()
        return
    redis_store = RedisSessionStore(
        request.getfixturevalue("redis_url"), prefix=f"t{time.monotonic_ns()}:"
    )
    yield redis_store
    await redis_store.aclose()


async def test_put_get_delete(store: SessionStore) -> None:
    ticket = SessionTicket.new()
    assert await store.get(ticket) is None
    await store.put(ticket, _record())
    found = await store.get(ticket)
    assert found is not None and found.tokens == TOKENS and found.user == {"name": "Alice"}
    # Another ticket with the same id but not the key reads nothing.
    assert await store.get(SessionTicket(ticket.session_id, bytes(32))) in (None, found)
    await store.delete(ticket)
    assert await store.get(ticket) is None


async def test_back_channel_logout_by_sid_and_by_subject(store: SessionStore) -> None:
    a, b, c = SessionTicket.new(), SessionTicket.new(), SessionTicket.new()
    await store.put(a, _record("s1", "u1"))
    await store.put(b, _record("s1", "u1"))
    await store.put(c, _record("s2", "u2"))
    assert await store.delete_by_sid("s1") == 2
    assert await store.get(a) is None and await store.get(c) is not None
    assert await store.delete_by_subject("u2") == 1
    assert await store.get(c) is None


async def test_expired_sessions_are_gone(store: SessionStore) -> None:
    ticket = SessionTicket.new()
    await store.put(ticket, SessionRecord(expires_at=time.time() - 1, tokens=TOKENS))
    assert await store.get(ticket) is None


async def test_a_dump_of_redis_holds_no_usable_token_or_cookie(redis_url: str) -> None:
    store = RedisSessionStore(redis_url, prefix="dump:")
    ticket = SessionTicket.new()
    await store.put(ticket, _record())
    await store.aclose()
    with Redis.from_url(redis_url) as redis:
        dump = b"".join(
            key
            + (redis.get(key) if redis.type(key) == b"string" else b"".join(redis.smembers(key)))
            for key in redis.scan_iter("dump:*")
        )
    assert dump
    for secret in (b"eyJ", ticket.session_id.encode(), b"sid-1", b"sub-1", b"Alice"):
        assert secret not in dump


async def test_redis_unreachable_is_503_never_a_logout(keycloak: RunningKeycloak) -> None:
    """Redis stops while a user is logged in: 503 with Retry-After; back again, the same
    session goes on (it was never dropped)."""
    await asyncio.to_thread(_outage_round_trip, keycloak)


def _outage_round_trip(keycloak: RunningKeycloak) -> None:
    from examples.starlette_app.app import create_app

    server = RedisServer().start()
    port = free_port()
    try:
        app = create_app(
            example_settings(keycloak.base_url),
            public_url=f"http://127.0.0.1:{port}",
            secret_key="a-secret-every-worker-shares",
            session_store=RedisSessionStore(server.url, socket_timeout=1.0),
        )
        with serve_asgi(app, port) as url, httpx.Client(base_url=url, timeout=30) as browser:
            assert browser_login(browser, "/profile", "alice", "alice-password").status_code == 302
            assert browser.get("/profile").status_code == 200
            redis_port = server.port
            server.stop()
            down = browser.get("/profile")
            assert down.status_code == 503, down.text
            assert down.headers["retry-after"]
            assert browser.get("/public").status_code == 200  # no session needed
            # Same port, empty Redis: the session is gone now, so a new login starts.
            server = RedisServer(redis_port).start()
            assert browser.get("/profile").status_code == 302
    finally:
        server.stop()


async def test_sessions_survive_an_app_restart(keycloak: RunningKeycloak, redis_url: str) -> None:
    await asyncio.to_thread(_restart_round_trip, keycloak, redis_url)


def _restart_round_trip(keycloak: RunningKeycloak, redis_url: str) -> None:
    from examples.starlette_app.app import create_app

    port = free_port()

    def app() -> object:
        return create_app(
            example_settings(keycloak.base_url),
            public_url=f"http://127.0.0.1:{port}",
            secret_key="a-secret-every-worker-shares",
            session_store=RedisSessionStore(redis_url, prefix="restart:"),
        )

    with httpx.Client(timeout=30) as browser:
        with serve_asgi(app(), port) as url:
            browser.base_url = httpx.URL(url)
            assert browser_login(browser, "/profile", "alice", "alice-password").status_code == 302
            assert browser.get("/profile").json()["user"] == "alice"
        with serve_asgi(app(), port):  # a new process would be no different: nothing in memory
            assert browser.get("/profile").json()["user"] == "alice"


async def test_the_blocking_form_shares_every_session_with_the_async_one(
    store: SessionStore,
) -> None:
    """WSGI and Django apps use the store's `blocking` form: same records, same index."""
    blocking = store.blocking  # type: ignore[attr-defined]
    written_async, written_blocking = SessionTicket.new(), SessionTicket.new()
    await store.put(written_async, _record("s9", "u9"))
    blocking.put(written_blocking, _record("s9", "u9"))
    found = blocking.get(written_async)
    assert found is not None and found.tokens == TOKENS and found.user == {"name": "Alice"}
    assert await store.get(written_blocking) is not None
    assert blocking.delete_by_sid("s9") == 2  # a back-channel logout seen by both forms
    assert await store.get(written_async) is None and blocking.get(written_blocking) is None
    await store.put(written_async, _record("s8", "u8"))
    blocking.delete(written_async)
    assert await store.get(written_async) is None
    blocking.put(written_blocking, _record("s7", "u7"))
    assert await store.delete_by_subject("u7") == 1
    assert blocking.get(written_blocking) is None
