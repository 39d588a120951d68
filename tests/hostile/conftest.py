"""Fixtures: one hostile provider per module (reset before each test) and the example apps."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from keycloak_sdk.extensions import Client

from tests.hostile.apps import FRAMEWORKS, example_client
from tests.hostile.helpers import flow_client
from tests.hostile.provider import HostileProvider


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[HostileProvider]:
    with HostileProvider.running() as provider:
        yield provider


@pytest.fixture
def provider(hostile_server: HostileProvider) -> HostileProvider:
    hostile_server.reset()
    return hostile_server


@pytest.fixture
def provider_http() -> Iterator[httpx.Client]:
    """The user's browser, as far as the provider is concerned (no redirects followed)."""
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def client(provider: HostileProvider) -> Iterator[Client]:
    with flow_client(provider) as kc:
        yield kc


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework_app(
    request: pytest.FixtureRequest, hostile_server: HostileProvider
) -> Iterator[tuple[str, httpx.Client]]:
    with example_client(request.param, hostile_server.base_url) as app:
        yield request.param, app


@pytest.fixture
def app(framework_app: tuple[str, httpx.Client], provider: HostileProvider) -> httpx.Client:
    framework_app[1].cookies.clear()
    return framework_app[1]
