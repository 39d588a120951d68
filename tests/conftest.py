"""Shared fixtures: the real Keycloak server every integration test talks to.

One server is started per test session (or an already running one is reused when
KEYCLOAK_URL is set, e.g. after `make keycloak-up`). If it cannot start, the session fails
loudly: integration tests never skip silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.keycloak import ADMIN_PASSWORD, ADMIN_USER, TEST_REALM, KeycloakServer


@dataclass(frozen=True)
class RunningKeycloak:
    base_url: str
    version: str
    realm: str = TEST_REALM
    admin_user: str = ADMIN_USER
    admin_password: str = ADMIN_PASSWORD

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.realm}"


@pytest.fixture(scope="session")
def keycloak() -> Iterator[RunningKeycloak]:
    url = os.environ.get("KEYCLOAK_URL")
    if url:
        yield RunningKeycloak(
            base_url=url.rstrip("/"), version=os.environ.get("KEYCLOAK_VERSION", "?")
        )
        return
    with KeycloakServer() as server:
        yield RunningKeycloak(base_url=server.base_url, version=server.version)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything that asks for the server is an integration test, marked or not.
    for item in items:
        if "keycloak" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
