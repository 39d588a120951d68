"""Fixtures for the generated client's integration tests against the real Keycloak."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from keycloak_sdk import KeycloakClient
from keycloak_sdk.models import TokenResponse
from tests.helpers.generated import CONFIDENTIAL, owned_resource


@pytest.fixture(scope="session")
def issuer(keycloak: object) -> str:
    return str(keycloak.issuer)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def client(issuer: str) -> Iterator[KeycloakClient]:
    with KeycloakClient.from_issuer(
        issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        yield kc


@pytest.fixture(scope="session")
def pat(client: KeycloakClient) -> str:
    """A protection API token: sdk-confidential's service account has uma_protection."""
    return client.oidc.token_client_credentials().access_token


@pytest.fixture(scope="session")
def alice(client: KeycloakClient) -> TokenResponse:
    return client.oidc.token_password("alice", "alice-password", scope="openid")


@pytest.fixture(scope="session")
def user_owned_resource(keycloak: object) -> Callable[[str], str]:
    """Create a resource owned by alice; return its id.

    Keycloak 26.7's protection API makes the resource server the owner whatever `owner` says,
    so a user-owned resource (what the policy API needs) is created through the admin API.
    """
    base = str(keycloak.base_url)  # type: ignore[attr-defined]

    def create(name: str) -> str:
        with httpx.Client(base_url=base, timeout=20) as http:
            admin = http.post(
                "/realms/master/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": keycloak.admin_user,  # type: ignore[attr-defined]
                    "password": keycloak.admin_password,  # type: ignore[attr-defined]
                },
            )
            headers = {"Authorization": f"Bearer {admin.raise_for_status().json()['access_token']}"}
            clients = http.get(
                "/admin/realms/sdk-test/clients",
                params={"clientId": CONFIDENTIAL[0]},
                headers=headers,
            ).raise_for_status()
            created = http.post(
                f"/admin/realms/sdk-test/clients/{clients.json()[0]['id']}/authz/resource-server/resource",
                json=owned_resource(name).to_dict(),
                headers=headers,
            ).raise_for_status()
            resource_id = created.json()["_id"]
            assert isinstance(resource_id, str)
            return resource_id

    return create


@pytest.fixture(scope="session")
def resource_server(issuer: str) -> Iterator[KeycloakClient]:
    """sdk-api: in the audience of sdk-confidential's tokens, so it may introspect them.

    Keycloak 26 answers `active: false` to a client that is not in the token's audience.
    """
    with KeycloakClient.from_issuer(
        issuer, client_id="sdk-api", client_secret="sdk-api-secret"
    ) as kc:
        yield kc
