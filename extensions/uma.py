"""UMA 2.0 / Keycloak Authorization Services: typed requests and results.

The calls themselves are methods of `Client` / `AsyncClient` (`pat`, `ticket`, `rpt`,
`decision`, `permissions`, `create_resource`, ...); this module holds their models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

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


def _wire(name: str) -> Any:
    """A field called `name` on the wire but by its Python name in constructors."""
    return Field(
        default=None,
        validation_alias=AliasChoices(name),
        serialization_alias=name,
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PermissionTicket(_Model):
    """The ticket returned by the permission endpoint."""

    ticket: str = Field(repr=False)


class Decision(_Model):
    """`response_mode=decision`: whether all requested permissions are granted."""

    result: bool


class GrantedPermission(_Model):
    """`response_mode=permissions` entry (also the `authorization.permissions` of an RPT)."""

    rsid: str | None = None
    rsname: str | None = None
    scopes: list[str] = Field(default_factory=list)


class ResourceSet(_Model):
    """A protected resource (UMA resource registration / Keycloak resource_set)."""

    id: str | None = _wire("_id")
    name: str
    type: str | None = None
    uris: list[str] = Field(default_factory=list)
    resource_scopes: list[str] = Field(default_factory=list)
    icon_uri: str | None = None
    owner_managed_access: bool | None = _wire("ownerManagedAccess")
    display_name: str | None = _wire("displayName")
    owner: str | None = None
    attributes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("resource_scopes", mode="before")
    @classmethod
    def _scope_names(cls, value: Any) -> Any:
        # Keycloak answers with [{"id":..,"name":..}] but accepts plain names.
        if isinstance(value, list):
            return [v.get("name") if isinstance(v, dict) else v for v in value]
        return value

    @field_validator("owner", mode="before")
    @classmethod
    def _owner_id(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return value.get("id") or value.get("name")
        return value

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, exclude={"id"})


class ManagedPermissionTicket(_Model):
    """A permission ticket as managed through Keycloak's protection API."""

    id: str | None = None
    owner: str | None = None
    resource: str | None = None
    scope: str | None = None
    granted: bool | None = None
    requester: str | None = None
    owner_name: str | None = _wire("ownerName")
    requester_name: str | None = _wire("requesterName")
    resource_name: str | None = _wire("resourceName")
    scope_name: str | None = _wire("scopeName")


class UmaPolicy(_Model):
    """A user-managed permission (policy) on a resource."""

    id: str | None = None
    name: str
    description: str | None = None
    scopes: list[str] = Field(default_factory=list)
    roles: list[str] | None = None
    groups: list[str] | None = None
    clients: list[str] | None = None
    condition: str | None = None
    logic: Literal["POSITIVE", "NEGATIVE"] | None = None
    decision_strategy: str | None = _wire("decisionStrategy")

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, exclude={"id"})


def permission_values(permissions: Iterable[PermissionRequest]) -> list[str]:
    return [p.as_form_value() for p in permissions]
