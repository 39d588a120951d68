"""Fixtures: one hostile provider per module (reset before each test) and the example apps."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from keycloak_sdk.extensions import AsyncClient, Client

from tests.hostile.apps import FRAMEWORKS, example_client
from tests.hostile.provider import CLIENT_ID, CLIENT_SECRET, REALM, HostileProvider

REDIRECT_URI = "http://127.0.0.1:8765/callback"


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


def flow_client(provider: HostileProvider) -> Client:
    return Client(
        server_url=provider.base_url,
        realm=REALM,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        timeout=5,
    )


def async_flow_client(provider: HostileProvider) -> AsyncClient:
    return AsyncClient(
        server_url=provider.base_url,
        realm=REALM,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        timeout=5,
    )


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


def redirect_query(provider_http: httpx.Client, authorization_url: str) -> dict[str, str]:
    """Let the provider 'log the user in' and return the redirect's query parameters."""
    answer = provider_http.get(authorization_url)
    assert answer.status_code == 302
    return dict(httpx.URL(answer.headers["location"]).params)
