"""UMA 2.0 / Keycloak Authorization Services: typed requests and results.

The calls themselves are methods of `Client` / `AsyncClient` (`pat`, `ticket`, `rpt`,
`decision`, `permissions`, `create_resource`, ...). Their results are the generated core's
models (`keycloak_sdk.models`); this module adds the two request helpers that validate what
the caller asks for: `PermissionRequest` (the uma-ticket `permission` parameter) and
`TicketPermission` (one entry of a permission ticket request, also from the seed's dicts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from keycloak_sdk.models import (
    PermissionTicket,
    Resource,
    UmaDecision,
    UmaPermission,
    UmaPolicy,
)
from keycloak_sdk.models import PermissionTicketRequest as CorePermissionRequest

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
    def from_seed(cls, entry: Mapping[str, Any]) -> TicketPermission:
        """Accept the seed's `{"resource_id": ..., "resource_scopes": [...]}` dicts."""
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


__all__ = [
    "RPT_TOKEN_TYPE_HINT",
    "UMA_TICKET_GRANT",
    "PermissionRequest",
    "PermissionTicket",
    "Resource",
    "TicketPermission",
    "UmaDecision",
    "UmaPermission",
    "UmaPolicy",
    "permission_values",
]
