"""The foundation's smoke test: the real server answers discovery and issues a token."""

from __future__ import annotations

import httpx

from tests.conftest import RunningKeycloak


def test_discovery_and_client_credentials(keycloak: RunningKeycloak) -> None:
    with httpx.Client(timeout=10) as http:
        discovery = http.get(f"{keycloak.issuer}/.well-known/openid-configuration").json()
        assert discovery["issuer"] == keycloak.issuer
        response = http.post(
            discovery["token_endpoint"],
            data={"grant_type": "client_credentials"},
            auth=("sdk-confidential", "sdk-confidential-secret"),
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"].lower() == "bearer"
    assert body["access_token"].count(".") == 2
