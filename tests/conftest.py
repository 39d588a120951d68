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
from dataclasses import dataclass

import pytest

from harness.keycloak import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    CACHE,
    CIBA_CHANNEL_ENV,
    TEST_REALM,
    KeycloakServer,
    version_tuple,
)
from tests.ciba_channel import CibaChannel


@dataclass(frozen=True)
class RunningKeycloak:
    base_url: str
    version: str
    ciba_channel_uri: str
    realm: str = TEST_REALM
    admin_user: str = ADMIN_USER
    admin_password: str = ADMIN_PASSWORD

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.realm}"

    def at_least(self, *version: int) -> bool:
        """Whether the server is this version or newer (`keycloak.at_least(26, 2)`); an
        unknown version (a reused server without state) counts as the default, newest one."""
        running = version_tuple(self.version) if self.version[:1].isdigit() else (999,)
        return running >= version


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
