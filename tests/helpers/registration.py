"""Initial access tokens for dynamic-client-registration tests, from the generated admin client.

`initial_access_tokens(keycloak)` yields a maker of one-use tokens; on exit it revokes the
unused ones and deletes every client registered meanwhile whose name starts with `reg-`
(a test that fails half-way leaves nothing behind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from keycloak_sdk.admin import KeycloakAdmin
from keycloak_sdk.admin.models import ClientInitialAccessCreatePresentation
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
            access = admin.initial_access.create(
                ClientInitialAccessCreatePresentation(count=1, expiration=300)
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
