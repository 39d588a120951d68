"""Role and scope requirements, evaluated the same way by every framework integration.

A role is either a realm role (`admin`) or a client role written `client:role`
(`sdk-confidential:writer`). `match="any"` needs one of the listed items, `"all"` every one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from keycloak_sdk.extensions.claims import AccessTokenClaims

Match = Literal["any", "all"]


def _check_match(match: str) -> None:
    if match not in ("any", "all"):
        raise ValueError("match must be 'any' or 'all'")


def has_role(claims: AccessTokenClaims, role: str) -> bool:
    client, sep, name = role.partition(":")
    if sep:
        return name in claims.client_roles(client)
    return role in claims.realm_roles


@dataclass(frozen=True)
class RoleRequirement:
    roles: tuple[str, ...]
    match: Match = "any"

    @classmethod
    def of(cls, roles: Iterable[str], match: Match = "any") -> RoleRequirement:
        _check_match(match)
        found = tuple(roles)
        if not found:
            raise ValueError("name at least one role")
        return cls(found, match)

    def satisfied_by(self, claims: AccessTokenClaims) -> bool:
        test = any if self.match == "any" else all
        return test(has_role(claims, role) for role in self.roles)


@dataclass(frozen=True)
class ScopeRequirement:
    scopes: tuple[str, ...]
    match: Match = "all"

    @classmethod
    def of(cls, scopes: Iterable[str], match: Match = "all") -> ScopeRequirement:
        _check_match(match)
        found = tuple(scopes)
        if not found:
            raise ValueError("name at least one scope")
        return cls(found, match)

    def satisfied_by(self, claims: AccessTokenClaims) -> bool:
        granted = claims.scopes
        test = any if self.match == "any" else all
        return test(scope in granted for scope in self.scopes)
