"""Shared fixtures: the real Keycloak server every integration test talks to.

One server is started per test session (or an already running one is reused when
KEYCLOAK_URL is set, e.g. after `make keycloak-up`). If it cannot start, the session fails
loudly: integration tests never skip silently.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator

import pytest

from harness.keycloak import CACHE, CIBA_CHANNEL_ENV, KeycloakServer
from tests.ciba_channel import CibaChannel
from tests.helpers.keycloak import RunningKeycloak


def _reused_server(url: str) -> RunningKeycloak:
    """A server started by `make keycloak-up` (its state file knows the CIBA channel)."""
    state: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        state = json.loads((CACHE / "server.json").read_text())
    channel = os.environ.get(CIBA_CHANNEL_ENV) or state.get("ciba_channel_uri", "")
    return RunningKeycloak(
        base_url=url.rstrip("/"),
        version=state.get("version") or os.environ.get("KEYCLOAK_VERSION", "unknown"),
        ciba_channel_uri=channel,
    )


@pytest.fixture(scope="session")
def keycloak() -> Iterator[RunningKeycloak]:
    url = os.environ.get("KEYCLOAK_URL")
    running = _reused_server(url) if url else None
    if running is not None:
        os.environ.setdefault(CIBA_CHANNEL_ENV, running.ciba_channel_uri)
        yield running
        return
    with KeycloakServer() as server:
        os.environ.setdefault(CIBA_CHANNEL_ENV, server.ciba_channel_uri)
        yield RunningKeycloak(
            base_url=server.base_url,
            version=server.version,
            ciba_channel_uri=server.ciba_channel_uri,
        )


@pytest.fixture(scope="module")
def ciba_channel(keycloak: RunningKeycloak) -> Iterator[CibaChannel]:
    """Module scope: each module that needs the channel binds its port and releases it."""
    if not keycloak.ciba_channel_uri:
        pytest.fail(
            f"the reused Keycloak has no CIBA channel: start it with `make keycloak-up` or set "
            f"{CIBA_CHANNEL_ENV}"
        )
    channel = CibaChannel(keycloak.ciba_channel_uri).start()
    yield channel
    channel.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Debian's redis-server on a free loopback port (harness/redis.py), for this session."""
    from harness.redis import RedisServer, RedisStartError

    try:
        server = RedisServer().start()
    except RedisStartError as exc:
        # CI installs redis-server (make setup), so a missing one there is a broken setup.
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything that asks for the server is an integration test, marked or not.
    for item in items:
        if "keycloak" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
