"""Typed, immutable views of validated Keycloak token claims.

The classes wrap the claims mapping without copying or converting it up front (validation
stays cheap); properties read and type-check on access. Anything without a property is in
`.raw`, a read-only mapping. Reprs show a few identifying claims, never the token.

The model of each token's claims is the generated pydantic document of `keycloak_sdk.documents`
(from spec/schemas/): `claims.payload()` validates the claims against it, on demand, so that
the per-request path pays nothing for a model it does not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NoReturn, Self, cast

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from keycloak_sdk.documents import AccessTokenPayload, IdTokenPayload, LogoutTokenPayload

__all__ = [
    "BACKCHANNEL_LOGOUT_EVENT",
    "AccessTokenClaims",
    "IdTokenClaims",
    "LogoutTokenClaims",
    "Permission",
    "TokenClaims",
]

BACKCHANNEL_LOGOUT_EVENT: Final = "http://schemas.openid.net/event/backchannel-logout"


@dataclass(frozen=True, slots=True)
class Permission:
    """One entry of `authorization.permissions` in a Keycloak RPT."""

    rsid: str | None
    rsname: str | None
    scopes: frozenset[str]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return int(value)
    return None


def _str_set(value: object) -> frozenset[str]:
    if isinstance(value, list | tuple):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


class TokenClaims:
    """Claims common to every Keycloak JWT."""

    __slots__ = ("_cache", "_claims")
    _claims: dict[str, object]
    # Lazily computed derived values (scopes, roles, permissions); not part of identity.
    _cache: dict[str, object]

    def __init__(self, claims: Mapping[str, object]) -> None:
        # A private copy: the caller's mapping can change afterwards, these claims cannot.
        object.__setattr__(self, "_claims", dict(claims))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def _adopt(cls, claims: dict[str, object]) -> Self:
        """Wrap a dict nobody else holds (the validator's freshly parsed payload) uncopied."""
        instance = cls.__new__(cls)
        object.__setattr__(instance, "_claims", claims)
        object.__setattr__(instance, "_cache", {})
        return instance

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @property
    def raw(self) -> Mapping[str, object]:
        """Every claim, read-only."""
        return MappingProxyType(self._claims)

    def __getitem__(self, name: str) -> object:
        return self._claims[name]

    def __contains__(self, name: object) -> bool:
        return name in self._claims

    def __iter__(self) -> Iterator[str]:
        return iter(self._claims)

    def get(self, name: str, default: object = None) -> object:
        return self._claims.get(name, default)

    @property
    def iss(self) -> str:
        return _str_or_none(self._claims.get("iss")) or ""

    @property
    def sub(self) -> str | None:
        value = self._claims.get("sub")  # read on most requests: no helper call
        return value if isinstance(value, str) else None

    @property
    def aud(self) -> tuple[str, ...]:
        aud = self._claims.get("aud")
        if isinstance(aud, str):
            return (aud,)
        if isinstance(aud, list):
            return tuple(item for item in aud if isinstance(item, str))
        return ()

    @property
    def azp(self) -> str | None:
        return _str_or_none(self._claims.get("azp"))

    @property
    def exp(self) -> int | None:
        return _int_or_none(self._claims.get("exp"))

    @property
    def iat(self) -> int | None:
        return _int_or_none(self._claims.get("iat"))

    @property
    def nbf(self) -> int | None:
        return _int_or_none(self._claims.get("nbf"))

    @property
    def jti(self) -> str | None:
        return _str_or_none(self._claims.get("jti"))

    @property
    def sid(self) -> str | None:
        return _str_or_none(self._claims.get("sid"))

    @property
    def typ(self) -> str | None:
        """Keycloak's token type claim: "Bearer", "ID", "Logout", ..."""
        return _str_or_none(self._claims.get("typ"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sub={self.sub!r}, azp={self.azp!r}, exp={self.exp!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, TokenClaims)
        return self._claims == other._claims

    def __hash__(self) -> int:
        return hash((type(self), self.jti, self.sub, self.exp))


class _ProfileClaims(TokenClaims):
    __slots__ = ()

    @property
    def email(self) -> str | None:
        return _str_or_none(self._claims.get("email"))

    @property
    def email_verified(self) -> bool:
        return self._claims.get("email_verified") is True

    @property
    def name(self) -> str | None:
        return _str_or_none(self._claims.get("name"))

    @property
    def given_name(self) -> str | None:
        return _str_or_none(self._claims.get("given_name"))

    @property
    def family_name(self) -> str | None:
        return _str_or_none(self._claims.get("family_name"))

    @property
    def preferred_username(self) -> str | None:
        value = self._claims.get("preferred_username")  # read on most requests
        return value if isinstance(value, str) else None

    @property
    def acr(self) -> str | None:
        return _str_or_none(self._claims.get("acr"))


class AccessTokenClaims(_ProfileClaims):
    """A validated Keycloak access token (`typ` "Bearer"), roles and permissions included."""

    __slots__ = ()

    def payload(self) -> AccessTokenPayload:
        """The claims as the generated model `keycloak_sdk.documents.AccessTokenPayload`, validated
        against its schema (raises pydantic.ValidationError)."""
        from keycloak_sdk.documents import AccessTokenPayload

        return AccessTokenPayload.from_dict(self._claims)

    @property
    def scope(self) -> str:
        return _str_or_none(self._claims.get("scope")) or ""

    @property
    def scopes(self) -> frozenset[str]:
        cached = self._cache.get("scopes")
        if cached is None:
            cached = frozenset(self.scope.split())
            self._cache["scopes"] = cached
        return cast("frozenset[str]", cached)

    @property
    def client_id(self) -> str | None:
        return _str_or_none(self._claims.get("client_id"))

    @property
    def realm_roles(self) -> frozenset[str]:
        access = self._claims.get("realm_access")
        return _str_set(access.get("roles")) if isinstance(access, dict) else frozenset()

    @property
    def resource_access(self) -> Mapping[str, frozenset[str]]:
        """Client id → that client's roles granted to the subject."""
        cached = self._cache.get("resource_access")
        if cached is None:
            access = self._claims.get("resource_access")
            roles: dict[str, frozenset[str]] = {}
            if isinstance(access, dict):
                for client, entry in access.items():
                    if isinstance(client, str) and isinstance(entry, dict):
                        roles[client] = _str_set(entry.get("roles"))
            cached = MappingProxyType(roles)
            self._cache["resource_access"] = cached
        return cast("Mapping[str, frozenset[str]]", cached)

    def client_roles(self, client_id: str) -> frozenset[str]:
        return self.resource_access.get(client_id, frozenset())

    def has_realm_role(self, role: str) -> bool:
        return role in self.realm_roles

    def has_client_role(self, client_id: str, role: str) -> bool:
        return role in self.client_roles(client_id)

    @property
    def permissions(self) -> tuple[Permission, ...]:
        """`authorization.permissions` of an RPT (empty for a plain access token)."""
        cached = self._cache.get("permissions")
        if cached is None:
            found: list[Permission] = []
            authorization = self._claims.get("authorization")
            entries = authorization.get("permissions") if isinstance(authorization, dict) else None
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, dict):
                        found.append(
                            Permission(
                                rsid=_str_or_none(entry.get("rsid")),
                                rsname=_str_or_none(entry.get("rsname")),
                                scopes=_str_set(entry.get("scopes")),
                            )
                        )
            cached = tuple(found)
            self._cache["permissions"] = cached
        return cast("tuple[Permission, ...]", cached)

    def has_permission(self, resource: str, scope: str | None = None) -> bool:
        """True if a permission names `resource` (by name or id) and, if given, `scope`."""
        for permission in self.permissions:
            if resource in (permission.rsname, permission.rsid) and (
                scope is None or scope in permission.scopes
            ):
                return True
        return False


class IdTokenClaims(_ProfileClaims):
    """A validated OpenID Connect ID token (`typ` "ID")."""

    __slots__ = ()

    def payload(self) -> IdTokenPayload:
        """The claims as the generated model `keycloak_sdk.documents.IdTokenPayload`, validated
        against its schema (raises pydantic.ValidationError)."""
        from keycloak_sdk.documents import IdTokenPayload

        return IdTokenPayload.from_dict(self._claims)

    @property
    def nonce(self) -> str | None:
        return _str_or_none(self._claims.get("nonce"))

    @property
    def auth_time(self) -> int | None:
        return _int_or_none(self._claims.get("auth_time"))

    @property
    def at_hash(self) -> str | None:
        return _str_or_none(self._claims.get("at_hash"))

    @property
    def session_state(self) -> str | None:
        return _str_or_none(self._claims.get("session_state"))


class LogoutTokenClaims(TokenClaims):
    """A validated back-channel logout token: end session `sid` and/or subject `sub`."""

    __slots__ = ()

    def payload(self) -> LogoutTokenPayload:
        """The claims as the generated model `keycloak_sdk.documents.LogoutTokenPayload`, validated
        against its schema (raises pydantic.ValidationError)."""
        from keycloak_sdk.documents import LogoutTokenPayload

        return LogoutTokenPayload.from_dict(self._claims)

    @property
    def events(self) -> Mapping[str, object]:
        events = self._claims.get("events")
        return MappingProxyType(events) if isinstance(events, dict) else MappingProxyType({})

    @property
    def revoke_offline_access(self) -> bool:
        """Keycloak's extension: also revoke the user's offline sessions."""
        return self._claims.get("revoke_offline_access") is True
