"""Every UMA operation in spec/openapi/uma.yaml, through the sync client."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from keycloak_sdk import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    KeycloakClient,
    NotFoundError,
)
from keycloak_sdk.models import (
    PermissionTicket,
    PermissionTicketRequest,
    Resource,
    TokenResponse,
    UmaPolicy,
    UmaProviderMetadata,
)
from tests.generated.conftest import owned_resource, unique


def test_uma_metadata(client: KeycloakClient, issuer: str) -> None:
    meta = client.uma.metadata()
    assert isinstance(meta, UmaProviderMetadata)
    assert meta.resource_registration_endpoint == f"{issuer}/authz/protection/resource_set"


def test_resource_set_crud_and_queries(client: KeycloakClient, pat: str) -> None:
    name = unique("res")
    created = client.uma.resource_sets.create(
        pat, Resource(name=name, type_="urn:sdk:test", uris=[f"/{name}/*"])
    )
    assert isinstance(created.id, str)
    rid = created.id
    try:
        fetched = client.uma.resource_sets.get(pat, rid)
        assert fetched.name == name
        assert fetched.uris == [f"/{name}/*"]

        fetched.display_name = "Renamed"
        client.uma.resource_sets.update(pat, rid, fetched)
        assert client.uma.resource_sets.get(pat, rid).display_name == "Renamed"

        assert rid in client.uma.resource_sets.list_ids(pat, name=name)
        full = client.uma.resource_sets.list(pat, name=name, exact_name=True, first=0, max=5)
        assert [r.id for r in full] == [rid]
        by_uri = client.uma.resource_sets.list(pat, uri=f"/{name}/x", matching_uri=True)
        assert rid in [r.id for r in by_uri]
        assert rid in [r.id for r in client.uma.resource_sets.list(pat, type="urn:sdk:test")]
        docs = client.uma.resource_sets.list(pat, name="documents", exact_name=True)
        assert docs and docs[0].name == "documents"
        assert client.uma.resource_sets.list_ids(pat, scope="read", max=100)
        assert client.uma.resource_sets.list_ids(pat, owner="sdk-confidential") is not None

        with pytest.raises(ConflictError) as conflict:
            client.uma.resource_sets.create(pat, Resource(name=name))
        assert conflict.value.status_code == 409
    finally:
        client.uma.resource_sets.delete(pat, rid)
    with pytest.raises(NotFoundError) as missing:
        client.uma.resource_sets.get(pat, rid)
    assert missing.value.status_code == 404


def test_protection_api_needs_uma_protection(client: KeycloakClient, alice: TokenResponse) -> None:
    with pytest.raises(ForbiddenError) as err:
        client.uma.resource_sets.list_ids(alice.access_token)
    assert err.value.status_code == 403


def test_permission_ticket_then_rpt(client: KeycloakClient, pat: str) -> None:
    documents = client.uma.resource_sets.list(pat, name="documents", exact_name=True)[0]
    assert isinstance(documents.id, str)
    ticket = client.uma.permission_tickets.create(
        pat, [PermissionTicketRequest(resource_id=documents.id, resource_scopes=["read"])]
    )
    assert ticket.ticket

    alice = client.oidc.token_password("alice", "alice-password")
    rpt = client.uma.token(access_token=alice.access_token, ticket=ticket.ticket)
    assert rpt.access_token
    info = client.oidc.introspect(rpt.access_token, token_type_hint="requesting_party_token")
    assert info.active is True
    assert isinstance(info.permissions, list)
    granted = {(p.rsname, tuple(p.scopes or ())) for p in info.permissions}
    assert ("documents", ("read",)) in granted


def test_uma_grant_modes(client: KeycloakClient) -> None:
    alice = client.oidc.token_password("alice", "alice-password")
    bob = client.oidc.token_password("bob", "bob-password")
    allowed = client.uma.decision(
        access_token=alice.access_token, audience="sdk-confidential", permissions=["documents#read"]
    )
    assert allowed.result is True
    permissions = client.uma.permissions(
        access_token=bob.access_token,
        audience="sdk-confidential",
        permissions=["documents#read", "documents#write"],
        response_include_resource_name=True,
        response_permissions_limit=10,
    )
    assert any(p.rsname == "documents" for p in permissions)
    assert any("write" in (p.scopes or []) for p in permissions)
    rpt = client.uma.token(
        access_token=bob.access_token, audience="sdk-confidential", permissions=["documents"]
    )
    assert rpt.access_token


def test_ticket_management(client: KeycloakClient, pat: str) -> None:
    resource = client.uma.resource_sets.create(pat, owned_resource(unique("shared")))
    assert isinstance(resource.id, str)
    try:
        ticket = client.uma.tickets.create(
            pat,
            PermissionTicket(
                resource=resource.id, requester_name="bob", scope_name="read", granted=False
            ),
        )
        assert isinstance(ticket.id, str)
        found = client.uma.tickets.list(
            pat, resource_id=resource.id, return_names=True, first=0, max=10
        )
        assert [t.id for t in found] == [ticket.id]
        assert found[0].requester_name == "bob"

        ticket.granted = True
        client.uma.tickets.update(pat, ticket)
        granted = client.uma.tickets.list(pat, resource_id=resource.id, granted=True)
        assert [t.id for t in granted] == [ticket.id]

        client.uma.tickets.delete(pat, ticket.id)
        assert client.uma.tickets.list(pat, resource_id=resource.id) == []
    finally:
        client.uma.resource_sets.delete(pat, resource.id)


def test_user_managed_policies(
    client: KeycloakClient, pat: str, user_owned_resource: Callable[[str], str]
) -> None:
    resource_id = user_owned_resource(unique("album"))
    assert client.uma.resource_sets.get(pat, resource_id).owner is not None
    alice = client.oidc.token_password("alice", "alice-password")
    name = unique("share-with-bob")
    try:
        policy = client.uma.policies.create(
            alice.access_token,
            resource_id,
            UmaPolicy(name=name, description="bob may read", scopes=["read"], users=["bob"]),
        )
        assert isinstance(policy.id, str)
        assert policy.users == ["bob"]
        listed = client.uma.policies.list(alice.access_token, name=name, first=0, max=5)
        assert [p.id for p in listed] == [policy.id]
        assert client.uma.policies.list(alice.access_token, resource=resource_id, scope="read")

        policy.description = "bob may still read"
        client.uma.policies.update(alice.access_token, policy.id, policy)
        again = client.uma.policies.list(alice.access_token, name=name)
        assert again[0].description == "bob may still read"

        client.uma.policies.delete(alice.access_token, policy.id)
        assert client.uma.policies.list(alice.access_token, name=name) == []
        with pytest.raises(BadRequestError):
            # Bob does not own the resource.
            bob = client.oidc.token_password("bob", "bob-password")
            client.uma.policies.create(bob.access_token, resource_id, UmaPolicy(name=unique("x")))
    finally:
        client.uma.resource_sets.delete(pat, resource_id)
