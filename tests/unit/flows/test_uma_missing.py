"""`missing_permissions`: what of a UMA request the granted permissions do not cover."""

from __future__ import annotations

from keycloak_sdk.extensions.uma import PermissionCheck, PermissionRequest, missing_permissions

from keycloak_sdk.models import UmaPermission

GRANTED = [
    UmaPermission(rsid="id-docs", rsname="documents", scopes=["read"]),
    UmaPermission(rsid="id-admin", rsname="admin-area"),
]


def test_resources_match_by_id_or_name_and_scopes_are_subtracted() -> None:
    wanted = [
        PermissionRequest("documents", ("read", "write")),
        PermissionRequest("id-docs", ("read",)),
        PermissionRequest("admin-area"),
        PermissionRequest("reports"),
        PermissionRequest(None, ("delete",)),
    ]
    assert missing_permissions(wanted, GRANTED) == (
        PermissionRequest("documents", ("write",)),
        PermissionRequest("reports"),
        PermissionRequest(None, ("delete",)),
    )


def test_check_is_allowed_only_when_nothing_is_missing() -> None:
    assert PermissionCheck(tuple(GRANTED), ()).allowed
    check = PermissionCheck((), (PermissionRequest("documents"),))
    assert not check.allowed and not check
