"""Clients of the hostile provider and the browser's side of its login (no fixtures here)."""

from __future__ import annotations

import httpx
from keycloak_sdk.extensions import AsyncClient, Client

from tests.hostile.provider import CLIENT_ID, CLIENT_SECRET, REALM, HostileProvider

REDIRECT_URI = "http://127.0.0.1:8765/callback"


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


def redirect_query(provider_http: httpx.Client, authorization_url: str) -> dict[str, str]:
    """Let the provider 'log the user in' and return the redirect's query parameters."""
    answer = provider_http.get(authorization_url)
    assert answer.status_code == 302
    return dict(httpx.URL(answer.headers["location"]).params)
