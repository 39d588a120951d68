"""UMA 2.0 / Keycloak Authorization Services: typed requests and results.

The calls themselves are methods of `Client` / `AsyncClient` (`pat`, `ticket`, `rpt`,
`decision`, `permissions`, `create_resource`, ...). Their results are the generated core's
models (`keycloak_sdk.models`); this module adds the two request helpers that validate what
the caller asks for: `PermissionRequest` (the uma-ticket `permission` parameter) and
`TicketPermission` (one entry of a permission ticket request, also from the
`{"resource_id": ..., "resource_scopes": [...]}` dicts the keycloak-client package takes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keycloak_sdk.models import (
    PermissionTicket,
    Resource,
    UmaDecision,
    UmaPermission,
    UmaPolicy,
)
from keycloak_sdk.models import PermissionTicketRequest as CorePermissionRequest

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

UMA_TICKET_GRANT = "urn:ietf:params:oauth:grant-type:uma-ticket"
RPT_TOKEN_TYPE_HINT = "requesting_party_token"  # noqa: S105 - a hint name


@dataclass(frozen=True)
class PermissionRequest:
    """A resource (id or name) and optionally some of its scopes."""

    resource: str | None = None
    scopes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.resource and not self.scopes:
            raise ValueError("a permission request names a resource, scopes, or both")
        for part in (self.resource or "", *self.scopes):
            if "#" in part or "," in part:
                raise ValueError("resource and scope names cannot contain '#' or ','")

    def as_form_value(self) -> str:
        """Keycloak's `permission` parameter: `resource#scope1,scope2`, `resource`, `#scope`."""
        if not self.scopes:
            return self.resource or ""
        return f"{self.resource or ''}#{','.join(self.scopes)}"


@dataclass(frozen=True)
class TicketPermission:
    """One entry of a permission ticket request (UMA Federated Authorization §4.1)."""

    resource_id: str
    resource_scopes: tuple[str, ...] = ()
    claims: Mapping[str, Sequence[str]] | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"resource_id": self.resource_id}
        if self.resource_scopes:
            body["resource_scopes"] = list(self.resource_scopes)
        if self.claims:
            body["claims"] = {k: list(v) for k, v in self.claims.items()}
        return body

    def to_core(self) -> CorePermissionRequest:
        return CorePermissionRequest.from_dict(self.as_json())

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any]) -> TicketPermission:
        """One entry as the ticket request's JSON spells it (and keycloak-client's
        `find_ticket` takes it): `{"resource_id": ..., "resource_scopes": [...]}`."""
        try:
            resource_id = entry["resource_id"]
        except KeyError:
            raise ValueError("each resource needs a 'resource_id'") from None
        scopes = entry.get("resource_scopes", ())
        if not isinstance(resource_id, str) or isinstance(scopes, str):
            raise ValueError("resource_id is a string and resource_scopes a list of strings")
        return cls(
            resource_id=resource_id, resource_scopes=tuple(scopes), claims=entry.get("claims")
        )


def permission_values(permissions: Iterable[PermissionRequest]) -> list[str]:
    return [p.as_form_value() for p in permissions]


@dataclass(frozen=True)
class PermissionCheck:
    """A UMA decision that says what is missing: `allowed` only when nothing is.

    `granted` is what Keycloak's policies grant of the requested permissions
    (`response_mode=permissions`); `missing` lists each requested permission, or the part of
    its scopes, that was not granted.
    """

    granted: tuple[UmaPermission, ...]
    missing: tuple[PermissionRequest, ...]

    @property
    def allowed(self) -> bool:
        return not self.missing

    def __bool__(self) -> bool:
        return self.allowed


def _names(value: object) -> frozenset[str]:
    return (
        frozenset(v for v in value if isinstance(v, str))
        if isinstance(value, list)
        else frozenset()
    )


def missing_permissions(
    requested: Sequence[PermissionRequest], granted: Sequence[UmaPermission]
) -> tuple[PermissionRequest, ...]:
    """What of `requested` is not in `granted` (resources matched by id or name)."""
    missing: list[PermissionRequest] = []
    for request in requested:
        if request.resource:
            matches = [g for g in granted if request.resource in (g.rsid, g.rsname)]
        else:  # scopes of any resource
            matches = list(granted)
        if not matches:
            missing.append(request)
            continue
        have = frozenset().union(*(_names(g.scopes) for g in matches))
        lacking = tuple(scope for scope in request.scopes if scope not in have)
        if lacking:
            missing.append(PermissionRequest(request.resource, lacking))
    return tuple(missing)


__all__ = [
    "RPT_TOKEN_TYPE_HINT",
    "UMA_TICKET_GRANT",
    "PermissionCheck",
    "PermissionRequest",
    "PermissionTicket",
    "Resource",
    "TicketPermission",
    "UmaDecision",
    "UmaPermission",
    "UmaPolicy",
    "missing_permissions",
    "permission_values",
]
