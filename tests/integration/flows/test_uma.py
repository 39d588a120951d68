"""UMA 2.0 / Keycloak Authorization Services on sdk-confidential, sync and async."""

from __future__ import annotations

import logging
import uuid

import pytest
from attrs import evolve
from keycloak_sdk.extensions.errors import AccessDeniedError, NotFoundError
from keycloak_sdk.extensions.uma import PermissionRequest, TicketPermission

from keycloak_sdk.models import PermissionTicket, Resource, ResourceScope
from tests.helpers.flow_clients import AnyClient, MakeClient, maybe
from tests.helpers.keycloak import RunningKeycloak

pytestmark = pytest.mark.asyncio(loop_scope="session")

RESOURCE_SERVER = "sdk-confidential"


def _scopes(*names: str) -> list[ResourceScope]:
    return [ResourceScope(name=name) for name in names]


async def _resource_id(kc: AnyClient, name: str) -> str:
    ids = await maybe(kc.list_resources(name=name))
    for resource_id in ids:
        if (await maybe(kc.get_resource(resource_id))).name == name:
            return str(resource_id)
    raise AssertionError(f"resource {name} not found")


async def test_pat_ticket_rpt_for_bob(make_client: MakeClient) -> None:
    kc = make_client()
    pat = await maybe(kc.pat())
    documents = await _resource_id(kc, "documents")
    ticket = await maybe(
        kc.find_ticket(
            [{"resource_id": documents, "resource_scopes": ["read"]}],
            pat["access_token"],
        )
    )
    bob = await maybe(kc.password_grant("bob", "bob-password"))
    rpt = await maybe(kc.rpt(bob, ticket=ticket))
    claims = await maybe(kc.validate_rpt(rpt))
    assert claims.has_permission("documents", "read")
    assert not claims.has_permission("admin-area")
    introspection = await maybe(kc.introspect_rpt(rpt))
    assert introspection.active
    assert introspection.permissions
    assert {p.rsname for p in introspection.permissions} == {"documents"}


async def test_typed_ticket_and_carol_is_denied(make_client: MakeClient) -> None:
    kc = make_client()
    documents = await _resource_id(kc, "documents")
    ticket = await maybe(kc.ticket([TicketPermission(documents, ("read",))]))
    carol = await maybe(kc.password_grant("carol", "carol-password"))
    with pytest.raises(AccessDeniedError) as caught:
        await maybe(kc.rpt(carol, ticket=ticket))
    assert caught.value.status_code == 403


async def test_rpt_upgrade(make_client: MakeClient) -> None:
    kc = make_client()
    bob = await maybe(kc.password_grant("bob", "bob-password"))
    first = await maybe(
        kc.rpt(
            bob,
            audience=RESOURCE_SERVER,
            permissions=[PermissionRequest("documents", ("read",))],
        )
    )
    first_claims = await maybe(kc.validate_rpt(first))
    assert not first_claims.has_permission("admin-area")
    # Keycloak 26 denies a scope-less resource request made together with `rpt`, so the
    # upgrade names the scope.
    upgraded = await maybe(
        kc.rpt(
            bob,
            audience=RESOURCE_SERVER,
            permissions=[PermissionRequest("admin-area", ("read",))],
            rpt=first,
        )
    )
    assert upgraded.upgraded is True
    claims = await maybe(kc.validate_rpt(upgraded))
    assert claims.has_permission("documents", "read")
    assert claims.has_permission("admin-area")


async def test_decision_and_permissions_modes(make_client: MakeClient) -> None:
    kc = make_client()
    alice = await maybe(kc.password_grant("alice", "alice-password"))
    bob = await maybe(kc.password_grant("bob", "bob-password"))
    read = [PermissionRequest("documents", ("read",))]
    write = [PermissionRequest("documents", ("write",))]
    assert (await maybe(kc.decision(alice, audience=RESOURCE_SERVER, permissions=read))).result
    assert not (await maybe(kc.decision(alice, audience=RESOURCE_SERVER, permissions=write))).result
    assert (await maybe(kc.decision(bob, audience=RESOURCE_SERVER, permissions=write))).result

    granted = await maybe(kc.permissions(bob, audience=RESOURCE_SERVER))
    by_name = {p.rsname: set(p.scopes or ()) for p in granted}
    assert {"read", "write", "delete"} <= by_name["documents"]
    assert "admin-area" in by_name
    alice_granted = await maybe(kc.permissions(alice, audience=RESOURCE_SERVER))
    assert {p.rsname for p in alice_granted} == {"documents"}


async def test_resource_set_crud(make_client: MakeClient) -> None:
    kc = make_client()
    name = f"sdk-crud-{uuid.uuid4().hex[:8]}"
    created = await maybe(
        kc.create_resource(
            Resource(
                name=name,
                type_="urn:sdk:test",
                uris=["/crud/*"],
                resource_scopes=_scopes("read", "write"),
            ),
        )
    )
    assert created.id and created.name == name
    fetched = await maybe(kc.get_resource(created.id))
    assert fetched.resource_scopes is not None
    assert {scope.name for scope in fetched.resource_scopes} == {"read", "write"}
    await maybe(kc.update_resource(evolve(fetched, display_name="CRUD test", uris=["/crud2/*"])))
    updated = await maybe(kc.get_resource(created.id))
    assert updated.display_name == "CRUD test"
    assert updated.uris == ["/crud2/*"]
    assert created.id in await maybe(kc.list_resources(name=name))
    await maybe(kc.delete_resource(created.id))
    with pytest.raises(NotFoundError):
        await maybe(kc.get_resource(created.id))


async def test_permission_ticket_management(make_client: MakeClient) -> None:
    # Keycloak 26.7 ignores `owner` on resource registration with a PAT (the resource server
    # owns the resource), so the resource server files and grants the ticket itself.
    kc = make_client()
    name = f"shared-album-{uuid.uuid4().hex[:8]}"
    album = await maybe(
        kc.create_resource(
            Resource(name=name, owner_managed_access=True, resource_scopes=_scopes("view")),
        )
    )
    assert album.id is not None
    try:
        bob = await maybe(kc.password_grant("bob", "bob-password"))
        assert bob.id_token_claims is not None
        await maybe(
            kc.create_permission_ticket(
                PermissionTicket(
                    resource=album.id, requester=bob.id_token_claims.sub, scope_name="view"
                ),
            )
        )
        pending = await maybe(kc.list_permission_tickets(resource_id=album.id, granted=False))
        assert len(pending) == 1
        assert pending[0].id is not None
        assert pending[0].requester == bob.id_token_claims.sub
        await maybe(kc.update_permission_ticket(evolve(pending[0], granted=True)))
        granted = await maybe(kc.list_permission_tickets(resource_id=album.id, granted=True))
        assert [t.id for t in granted] == [pending[0].id]
        ticket = await maybe(kc.ticket([TicketPermission(album.id, ("view",))]))
        rpt = await maybe(kc.rpt(bob, ticket=ticket))
        assert (await maybe(kc.validate_rpt(rpt))).has_permission(name, "view")
        await maybe(kc.delete_permission_ticket(pending[0].id))
        assert await maybe(kc.list_permission_tickets(resource_id=album.id)) == []
    finally:
        await maybe(kc.delete_resource(album.id))


async def test_managed_ticket_created_by_the_resource_server(make_client: MakeClient) -> None:
    kc = make_client()
    name = f"alice-doc-{uuid.uuid4().hex[:8]}"
    doc = await maybe(
        kc.create_resource(
            Resource(name=name, owner_managed_access=True, resource_scopes=_scopes("view")),
        )
    )
    assert doc.id is not None
    try:
        bob = await maybe(kc.password_grant("bob", "bob-password"))
        assert bob.id_token_claims is not None
        created = await maybe(
            kc.create_permission_ticket(
                PermissionTicket(
                    resource=doc.id,
                    requester=bob.id_token_claims.sub,
                    granted=True,
                    scope_name="view",
                ),
            )
        )
        assert created.id and created.granted
        ticket = await maybe(kc.ticket([TicketPermission(doc.id, ("view",))]))
        rpt = await maybe(kc.rpt(bob, ticket=ticket))
        assert (await maybe(kc.validate_rpt(rpt))).has_permission(name, "view")
    finally:
        await maybe(kc.delete_resource(doc.id))


async def test_check_permissions_reports_what_is_missing(make_client: MakeClient) -> None:
    kc = make_client()
    alice = await maybe(kc.password_grant("alice", "alice-password"))
    bob = await maybe(kc.password_grant("bob", "bob-password"))
    wanted = [PermissionRequest("documents", ("read", "write")), PermissionRequest("admin-area")]
    check = await maybe(kc.check_permissions(alice, audience=RESOURCE_SERVER, permissions=wanted))
    assert not check.allowed
    assert {p.rsname for p in check.granted} == {"documents"}
    assert check.missing == (
        PermissionRequest("documents", ("write",)),
        PermissionRequest("admin-area"),
    )
    for_bob = await maybe(kc.check_permissions(bob, audience=RESOURCE_SERVER, permissions=wanted))
    assert for_bob.allowed and for_bob.missing == ()
    # Carol is granted nothing: Keycloak answers 403, reported as everything missing.
    carol = await maybe(kc.password_grant("carol", "carol-password"))
    denied = await maybe(
        kc.check_permissions(carol, audience=RESOURCE_SERVER, permissions=wanted[:1])
    )
    assert not denied and denied.missing == tuple(wanted[:1])


async def test_list_resources_pages(make_client: MakeClient) -> None:
    kc = make_client()
    everything = await maybe(kc.list_resources())
    assert len(everything) >= 2
    first = await maybe(kc.list_resources(first=0, max=1))
    second = await maybe(kc.list_resources(first=1, max=1))
    assert len(first) == 1 and len(second) == 1 and first != second
    assert set(first + second) <= set(everything)


async def test_realm_keys(make_client: MakeClient) -> None:
    kc = make_client()
    keys = await maybe(kc.realm_keys())
    assert any(key.kid for key in keys.keys)
    token = await maybe(kc.client_credentials())
    from keycloak_sdk.extensions.jose import decode_unverified

    kid = decode_unverified(token.access_token).header["kid"]
    assert kid in {key.kid for key in keys.keys}


async def test_create_resource_says_when_the_owner_is_ignored(
    make_client: MakeClient, keycloak: RunningKeycloak, caplog: pytest.LogCaptureFixture
) -> None:
    kc = make_client()
    name = f"sdk-owner-{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.WARNING, logger="keycloak_sdk.extensions._flows")
    created = await maybe(kc.create_resource(Resource(name=name, owner="alice")))
    assert created.id is not None
    try:
        warned = [r for r in caplog.records if "ignored owner" in r.getMessage()]
        # 26.7 makes the resource server the owner whatever `owner` says; before, alice owns it.
        assert bool(warned) is keycloak.at_least(26, 7)
    finally:
        await maybe(kc.delete_resource(created.id))


async def test_ticket_by_resource_name(make_client: MakeClient) -> None:
    kc = make_client()
    ticket = await maybe(kc.ticket_by_name({"documents": ["read"]}))
    bob = await maybe(kc.password_grant("bob", "bob-password"))
    claims = await maybe(kc.validate_rpt(await maybe(kc.rpt(bob, ticket=ticket))))
    assert claims.has_permission("documents", "read")
    with pytest.raises(ValueError, match="matches 0 resources"):
        await maybe(kc.ticket_by_name({f"no-such-{uuid.uuid4().hex[:6]}": ["read"]}))
