"""UMA 2.0 / Keycloak Authorization Services on sdk-confidential, sync and async."""

from __future__ import annotations

import uuid

import pytest
from attrs import evolve
from keycloak_sdk.extensions.errors import AccessDeniedError, NotFoundError
from keycloak_sdk.extensions.uma import PermissionRequest, TicketPermission

from keycloak_sdk.models import PermissionTicket, Resource, ResourceScope
from tests.integration.flows.conftest import AnyClient, MakeClient, call

pytestmark = pytest.mark.asyncio(loop_scope="session")

RESOURCE_SERVER = "sdk-confidential"


def _scopes(*names: str) -> list[ResourceScope]:
    return [ResourceScope(name=name) for name in names]


async def _resource_id(kc: AnyClient, name: str) -> str:
    ids = await call(kc, "list_resources", name=name)
    for resource_id in ids:
        if (await call(kc, "get_resource", resource_id)).name == name:
            return str(resource_id)
    raise AssertionError(f"resource {name} not found")


async def test_pat_ticket_rpt_for_bob(make_client: MakeClient) -> None:
    kc = make_client()
    pat = await call(kc, "pat")
    documents = await _resource_id(kc, "documents")
    ticket = await call(
        kc,
        "find_ticket",
        [{"resource_id": documents, "resource_scopes": ["read"]}],
        pat["access_token"],
    )
    bob = await call(kc, "password_grant", "bob", "bob-password")
    rpt = await call(kc, "rpt", bob, ticket=ticket)
    claims = await call(kc, "validate_rpt", rpt)
    assert claims.has_permission("documents", "read")
    assert not claims.has_permission("admin-area")
    introspection = await call(kc, "introspect_rpt", rpt)
    assert introspection.active
    assert introspection.permissions
    assert {p.rsname for p in introspection.permissions} == {"documents"}


async def test_typed_ticket_and_carol_is_denied(make_client: MakeClient) -> None:
    kc = make_client()
    documents = await _resource_id(kc, "documents")
    ticket = await call(kc, "ticket", [TicketPermission(documents, ("read",))])
    carol = await call(kc, "password_grant", "carol", "carol-password")
    with pytest.raises(AccessDeniedError) as caught:
        await call(kc, "rpt", carol, ticket=ticket)
    assert caught.value.status_code == 403


async def test_rpt_upgrade(make_client: MakeClient) -> None:
    kc = make_client()
    bob = await call(kc, "password_grant", "bob", "bob-password")
    first = await call(
        kc,
        "rpt",
        bob,
        audience=RESOURCE_SERVER,
        permissions=[PermissionRequest("documents", ("read",))],
    )
    first_claims = await call(kc, "validate_rpt", first)
    assert not first_claims.has_permission("admin-area")
    # Keycloak 26 denies a scope-less resource request made together with `rpt`, so the
    # upgrade names the scope.
    upgraded = await call(
        kc,
        "rpt",
        bob,
        audience=RESOURCE_SERVER,
        permissions=[PermissionRequest("admin-area", ("read",))],
        rpt=first,
    )
    assert upgraded.upgraded is True
    claims = await call(kc, "validate_rpt", upgraded)
    assert claims.has_permission("documents", "read")
    assert claims.has_permission("admin-area")


async def test_decision_and_permissions_modes(make_client: MakeClient) -> None:
    kc = make_client()
    alice = await call(kc, "password_grant", "alice", "alice-password")
    bob = await call(kc, "password_grant", "bob", "bob-password")
    read = [PermissionRequest("documents", ("read",))]
    write = [PermissionRequest("documents", ("write",))]
    assert (await call(kc, "decision", alice, audience=RESOURCE_SERVER, permissions=read)).result
    assert not (
        await call(kc, "decision", alice, audience=RESOURCE_SERVER, permissions=write)
    ).result
    assert (await call(kc, "decision", bob, audience=RESOURCE_SERVER, permissions=write)).result

    granted = await call(kc, "permissions", bob, audience=RESOURCE_SERVER)
    by_name = {p.rsname: set(p.scopes) for p in granted}
    assert {"read", "write", "delete"} <= by_name["documents"]
    assert "admin-area" in by_name
    alice_granted = await call(kc, "permissions", alice, audience=RESOURCE_SERVER)
    assert {p.rsname for p in alice_granted} == {"documents"}


async def test_resource_set_crud(make_client: MakeClient) -> None:
    kc = make_client()
    name = f"sdk-crud-{uuid.uuid4().hex[:8]}"
    created = await call(
        kc,
        "create_resource",
        Resource(
            name=name,
            type_="urn:sdk:test",
            uris=["/crud/*"],
            resource_scopes=_scopes("read", "write"),
        ),
    )
    assert created.id and created.name == name
    fetched = await call(kc, "get_resource", created.id)
    assert {scope.name for scope in fetched.resource_scopes} == {"read", "write"}
    await call(kc, "update_resource", evolve(fetched, display_name="CRUD test", uris=["/crud2/*"]))
    updated = await call(kc, "get_resource", created.id)
    assert updated.display_name == "CRUD test"
    assert updated.uris == ["/crud2/*"]
    assert created.id in await call(kc, "list_resources", name=name)
    await call(kc, "delete_resource", created.id)
    with pytest.raises(NotFoundError):
        await call(kc, "get_resource", created.id)


async def test_permission_ticket_management(make_client: MakeClient) -> None:
    # Keycloak 26.7 ignores `owner` on resource registration with a PAT (the resource server
    # owns the resource), so the resource server files and grants the ticket itself.
    kc = make_client()
    name = f"shared-album-{uuid.uuid4().hex[:8]}"
    album = await call(
        kc,
        "create_resource",
        Resource(name=name, owner_managed_access=True, resource_scopes=_scopes("view")),
    )
    try:
        bob = await call(kc, "password_grant", "bob", "bob-password")
        await call(
            kc,
            "create_permission_ticket",
            PermissionTicket(
                resource=album.id, requester=bob.id_token_claims.sub, scope_name="view"
            ),
        )
        pending = await call(kc, "list_permission_tickets", resource_id=album.id, granted=False)
        assert len(pending) == 1
        assert pending[0].requester == bob.id_token_claims.sub
        await call(kc, "update_permission_ticket", evolve(pending[0], granted=True))
        granted = await call(kc, "list_permission_tickets", resource_id=album.id, granted=True)
        assert [t.id for t in granted] == [pending[0].id]
        ticket = await call(kc, "ticket", [TicketPermission(album.id, ("view",))])
        rpt = await call(kc, "rpt", bob, ticket=ticket)
        assert (await call(kc, "validate_rpt", rpt)).has_permission(name, "view")
        await call(kc, "delete_permission_ticket", pending[0].id)
        assert await call(kc, "list_permission_tickets", resource_id=album.id) == []
    finally:
        await call(kc, "delete_resource", album.id)


async def test_managed_ticket_created_by_the_resource_server(make_client: MakeClient) -> None:
    kc = make_client()
    name = f"alice-doc-{uuid.uuid4().hex[:8]}"
    doc = await call(
        kc,
        "create_resource",
        Resource(name=name, owner_managed_access=True, resource_scopes=_scopes("view")),
    )
    try:
        bob = await call(kc, "password_grant", "bob", "bob-password")
        created = await call(
            kc,
            "create_permission_ticket",
            PermissionTicket(
                resource=doc.id,
                requester=bob.id_token_claims.sub,
                granted=True,
                scope_name="view",
            ),
        )
        assert created.id and created.granted
        ticket = await call(kc, "ticket", [TicketPermission(doc.id, ("view",))])
        rpt = await call(kc, "rpt", bob, ticket=ticket)
        assert (await call(kc, "validate_rpt", rpt)).has_permission(name, "view")
    finally:
        await call(kc, "delete_resource", doc.id)
