"""Round trips a user of the admin client writes, against the real Keycloak."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from keycloak_sdk.admin import AsyncKeycloakAdmin, ConflictError, KeycloakAdmin, NotFoundError
from keycloak_sdk.admin.models import (
    ClientRepresentation,
    CredentialRepresentation,
    GroupRepresentation,
    RoleRepresentation,
    UserRepresentation,
)
from keycloak_sdk.client import KeycloakClient
from tests.helpers.keycloak import RunningKeycloak


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@pytest.mark.admin_smoke
def test_user_client_group_create_and_delete(realm: KeycloakAdmin) -> None:
    """The admin smoke every Keycloak version of the CI matrix runs."""
    user_id = realm.users.create(UserRepresentation(username=_name("smoke"), enabled=True))
    client_uuid = realm.clients.create(ClientRepresentation(client_id=_name("smoke")))
    group_id = realm.groups.create(GroupRepresentation(name=_name("smoke")))
    assert user_id and client_uuid and group_id
    assert realm.users.get(user_id).id == user_id
    assert realm.clients.get(client_uuid).id == client_uuid
    assert realm.groups.get(group_id).id == group_id
    realm.users.delete(user_id)
    realm.clients.delete(client_uuid)
    realm.groups.delete(group_id)
    with pytest.raises(NotFoundError) as missing:
        realm.users.get(user_id)
    assert missing.value.status_code == 404


def test_user_lifecycle_with_password_roles_groups_and_sessions(
    keycloak: RunningKeycloak, realm: KeycloakAdmin, realm_name: str
) -> None:
    username = _name("ann")
    user_id = realm.users.create(
        UserRepresentation(
            username=username,
            enabled=True,
            email=f"{username}@example.org",
            email_verified=True,
            first_name="Ann",
            last_name="Admin",
        )
    )
    assert user_id is not None
    with pytest.raises(ConflictError) as taken:
        realm.users.create(UserRepresentation(username=username, enabled=True))
    assert taken.value.status_code == 409
    assert taken.value.error_description and "username" in taken.value.error_description

    realm.users.reset_password(
        user_id, CredentialRepresentation(type_="password", value="S3cret-pass", temporary=False)
    )
    # A public client of this realm to log in through, as the user would.
    client_uuid = realm.clients.create(
        ClientRepresentation(client_id="cli", public_client=True, direct_access_grants_enabled=True)
    )
    assert client_uuid is not None
    issuer = f"{keycloak.base_url}/realms/{realm_name}"
    oidc = KeycloakClient(
        {"issuer": issuer, "token_endpoint": f"{issuer}/protocol/openid-connect/token"},
        client_id="cli",
    )
    with oidc:
        tokens = oidc.oidc.token_password(username, "S3cret-pass")
    assert tokens.access_token

    # Realm and client roles.
    realm.roles.create(RoleRepresentation(name="editor"))
    editor = realm.roles.get("editor")
    realm.users.role_mappings.realm.add(user_id, [editor])
    assert "editor" in {r.name for r in realm.users.role_mappings.realm.list(user_id)}
    realm.clients.roles.create(client_uuid, RoleRepresentation(name="viewer"))
    viewer = realm.clients.roles.get(client_uuid, "viewer")
    realm.users.role_mappings.clients.add(user_id, client_uuid, [viewer])
    assert [r.name for r in realm.users.role_mappings.clients.list(user_id, client_uuid)] == [
        "viewer"
    ]

    # Groups with subgroups, and membership.
    parent = realm.groups.create(GroupRepresentation(name="staff"))
    assert parent is not None
    child = realm.groups.children.create(parent, GroupRepresentation(name="editors"))
    assert child is not None
    assert [g.name for g in realm.groups.children.list(parent)] == ["editors"]
    realm.users.groups.add(user_id, child)
    assert [g.path for g in realm.users.groups.list(user_id)] == ["/staff/editors"]
    assert [u.username for u in realm.groups.members.list(child)] == [username]

    # Sessions: the login above made one; end it.
    sessions = realm.users.sessions.list(user_id)
    assert len(sessions) == 1
    realm.sessions.delete(sessions[0].id or "")
    assert realm.users.sessions.list(user_id) == []

    # Paging: every user, page by page.
    assert username in {u.username for u in realm.users.iter_list(max=1)}

    realm.users.delete(user_id)
    assert realm.users.count(username=username) == 0
    realm.groups.delete(parent)
    realm.clients.delete(client_uuid)
    realm.roles.delete("editor")


def test_client_secret_rotation_and_service_account(realm: KeycloakAdmin) -> None:
    client_uuid = realm.clients.create(
        ClientRepresentation(
            client_id=_name("svc"),
            public_client=False,
            service_accounts_enabled=True,
            standard_flow_enabled=False,
        )
    )
    assert client_uuid is not None
    before = realm.clients.client_secret.get(client_uuid).value
    after = realm.clients.client_secret.regenerate(client_uuid).value
    assert before and after and before != after
    account = realm.clients.service_account_user.get(client_uuid)
    assert account.username and account.username.startswith("service-account-")
    realm.clients.delete(client_uuid)


def test_service_account_login_and_no_token_in_repr_or_logs(
    keycloak: RunningKeycloak,
    realm: KeycloakAdmin,
    realm_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client_id = _name("ops")
    client_uuid = realm.clients.create(
        ClientRepresentation(
            client_id=client_id,
            public_client=False,
            service_accounts_enabled=True,
            standard_flow_enabled=False,
        )
    )
    assert client_uuid is not None
    secret = realm.clients.client_secret.get(client_uuid).value or ""
    account = realm.clients.service_account_user.get(client_uuid)
    management = realm.clients.list(client_id="realm-management")[0]
    view_users = realm.clients.roles.get(management.id or "", "view-users")
    with KeycloakAdmin(
        keycloak.base_url, realm=realm_name, client_id=client_id, client_secret=secret
    ) as ops:
        caplog.set_level(logging.DEBUG)
        # Without the role: 403, typed.
        from keycloak_sdk.admin import ForbiddenError

        with pytest.raises(ForbiddenError):
            ops.users.list()
        realm.users.role_mappings.clients.add(account.id or "", management.id or "", [view_users])
        ops._shared.token = None  # the role is in the next token
        assert isinstance(ops.users.list(), list)
        token = ops._shared.token
        assert token is not None
        assert token.access_token not in repr(ops)
        assert secret not in repr(ops)
        assert token.access_token not in caplog.text
        assert secret not in caplog.text
    realm.clients.delete(client_uuid)


def test_async_admin_lists_and_pages(keycloak: RunningKeycloak, realm_name: str) -> None:
    async def main() -> list[str]:
        async with AsyncKeycloakAdmin(
            keycloak.base_url,
            username=keycloak.admin_user,
            password=keycloak.admin_password,
            login_realm="master",
        ) as admin:
            acme = admin.realm(realm_name)
            user_id = await acme.users.create(UserRepresentation(username="async-ann"))
            names = [u.username or "" async for u in acme.users.iter_list(max=2)]
            await acme.users.delete(user_id or "")
            return names

    assert "async-ann" in asyncio.run(main())
