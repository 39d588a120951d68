"""Admin tests: a fresh realm per session, and a record of which operations ran live.

Every request the admin clients send goes through `_request`; the recorder keeps the
`(method, path template)` of each one answered with its documented success, so the session
can say how many of the document's operations were exercised (`ADMIN_COVERAGE_FILE`, or
.cache/admin-coverage.json).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keycloak_sdk.admin import KeycloakAdmin, _session
from tests.helpers.keycloak import RunningKeycloak

ROOT = Path(__file__).resolve().parents[3]
EXERCISED: set[tuple[str, str]] = set()


def _recording(original: Any) -> Any:
    def request(self: Any, call: Any) -> Any:
        result = original(self, call)
        EXERCISED.add((call.endpoint.method, call.endpoint.path))
        return result

    return request


def _recording_async(original: Any) -> Any:
    async def request(self: Any, call: Any) -> Any:
        result = await original(self, call)
        EXERCISED.add((call.endpoint.method, call.endpoint.path))
        return result

    return request


@pytest.fixture(scope="session", autouse=True)
def record_operations() -> Iterator[None]:
    sync, async_ = _session.SyncAdminBase._request, _session.AsyncAdminBase._request
    _session.SyncAdminBase._request = _recording(sync)  # type: ignore[method-assign]
    _session.AsyncAdminBase._request = _recording_async(async_)  # type: ignore[method-assign]
    yield
    _session.SyncAdminBase._request = sync  # type: ignore[method-assign]
    _session.AsyncAdminBase._request = async_  # type: ignore[method-assign]
    target = Path(os.environ.get("ADMIN_COVERAGE_FILE", ROOT / ".cache" / "admin-coverage.json"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(sorted(f"{m} {p}" for m, p in EXERCISED), indent=1) + "\n", encoding="utf-8"
    )


@pytest.fixture(scope="session")
def admin(keycloak: RunningKeycloak) -> Iterator[KeycloakAdmin]:
    """The master realm's admin user through admin-cli (password grant)."""
    with KeycloakAdmin(
        keycloak.base_url,
        username=keycloak.admin_user,
        password=keycloak.admin_password,
    ) as client:
        yield client


@pytest.fixture(scope="session")
def realm_name(admin: KeycloakAdmin) -> Iterator[str]:
    """A realm made for these tests and deleted after them."""
    from keycloak_sdk.admin.models import RealmRepresentation

    name = f"admin-it-{uuid.uuid4().hex[:8]}"
    # Only what every supported version knows: the admin smoke runs on each of them.
    admin.realms.create(RealmRepresentation(realm=name, enabled=True))
    yield name
    admin.realm(name).realms.delete()


@pytest.fixture(scope="session")
def realm(admin: KeycloakAdmin, realm_name: str) -> KeycloakAdmin:
    return admin.realm(realm_name)


@pytest.fixture(scope="session")
def organizations(realm: KeycloakAdmin) -> KeycloakAdmin:
    """The session's realm with organizations enabled (Keycloak 26)."""
    from keycloak_sdk.admin.models import RealmRepresentation

    realm.realms.update(RealmRepresentation(organizations_enabled=True))
    return realm
