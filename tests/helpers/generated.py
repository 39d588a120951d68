"""Constants and builders of the generated client's integration tests (tests/generated/)."""

from __future__ import annotations

import uuid

from keycloak_sdk.models import Resource, ResourceScope

CONFIDENTIAL = ("sdk-confidential", "sdk-confidential-secret")
REDIRECT_URI = "http://127.0.0.1/callback"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def owned_resource(name: str, owner: str = "alice") -> Resource:
    """A resource with owner-managed access, naming `owner` as its owner."""
    return Resource(
        name=name,
        type_="urn:sdk:test",
        uris=[f"/{name}/*"],
        resource_scopes=[ResourceScope(name="read"), ResourceScope(name="write")],
        owner=owner,
        owner_managed_access=True,
    )


def server_resource(name: str) -> Resource:
    """A resource the resource server owns on every version (no `owner`: see
    `test_uma_sync.py::test_protection_api_owner_per_version` for what `owner` does)."""
    return Resource(
        name=name,
        type_="urn:sdk:test",
        uris=[f"/{name}/*"],
        resource_scopes=[ResourceScope(name="read"), ResourceScope(name="write")],
        owner_managed_access=True,
    )
