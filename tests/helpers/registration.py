"""Initial access tokens for dynamic-client-registration tests, from the generated admin client.

`initial_access_tokens(keycloak)` yields a maker of one-use tokens; on exit it revokes the
unused ones and deletes every client registered meanwhile whose name starts with `reg-`
(a test that fails half-way leaves nothing behind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from keycloak_sdk.admin import KeycloakAdmin
from keycloak_sdk.admin.models import (
    ClientInitialAccessCreatePresentation,
    ClientInitialAccessPresentation,
)
from tests.helpers.keycloak import RunningKeycloak

REGISTERED_PREFIX = "reg-"


@contextmanager
def initial_access_tokens(keycloak: RunningKeycloak) -> Iterator[Callable[[], str]]:
    with KeycloakAdmin(
        keycloak.base_url,
        realm="sdk-test",
        login_realm="master",
        username=keycloak.admin_user,
        password=keycloak.admin_password,
    ) as admin:
        created: list[str] = []
        registered_before = {c.client_id for c in admin.clients.list()}

        def make() -> str:
            # Keycloak before 26.7 (25.0.6 and 26.4.7 measured) answers this POST with 200, not
            # the 201 of the 26.7.3 admin document the admin client is generated from: on such a
            # server it is sent as is.
            body = ClientInitialAccessCreatePresentation(count=1, expiration=300).to_dict()
            if not keycloak.at_least(26, 7):
                answer = httpx.post(
                    f"{keycloak.base_url}/admin/realms/sdk-test/clients-initial-access",
                    json=body,
                    headers={"Authorization": f"Bearer {admin_token(keycloak)}"},
                    timeout=20,
                ).raise_for_status()
                access = ClientInitialAccessPresentation.from_dict(answer.json())
            else:
                access = admin.initial_access.create(
                    ClientInitialAccessCreatePresentation.from_dict(body)
                )
            assert access.id is not None and access.token is not None
            created.append(access.id)
            return access.token

        try:
            yield make
        finally:
            remaining = {a.id for a in admin.initial_access.list()}
            for access_id in created:
                if access_id in remaining:
                    admin.initial_access.delete(access_id)
            for client in admin.clients.list():
                new = client.client_id not in registered_before
                ours = (client.name or "").startswith(REGISTERED_PREFIX)
                if new and ours and client.id is not None:
                    admin.clients.delete(client.id)


def admin_token(keycloak: RunningKeycloak) -> str:
    answer = httpx.post(
        f"{keycloak.base_url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": keycloak.admin_user,
            "password": keycloak.admin_password,
        },
        timeout=20,
    ).raise_for_status()
    token = answer.json()["access_token"]
    assert isinstance(token, str)
    return token
