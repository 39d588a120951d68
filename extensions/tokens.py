"""Typed results of the flows: token sets, device/CIBA authorizations, introspection, userinfo.

Token and code values never appear in `repr()` or `str()`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from keycloak_sdk.extensions.claims import IdTokenClaims
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PrivateAttr

_SAFE = object()


class _Response(BaseModel):
    """Base of server responses: unknown members are kept (Keycloak adds its own)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    received_at: float = Field(default_factory=time.time, exclude=True)

    def __getitem__(self, key: str) -> Any:
        """Dict-style access to any response member (`tokens["access_token"]`)."""
        data = self.model_dump(by_alias=True, exclude_none=False)
        if key in data:
            return data[key]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _SAFE) is not _SAFE

    def keys(self) -> Iterator[str]:
        return iter(self.model_dump(by_alias=True, exclude_none=True))

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # Only declared fields marked safe; extras may carry tokens we do not know about.
        for name, info in type(self).model_fields.items():
            if info.repr and name != "received_at":
                yield name, getattr(self, name)


class TokenSet(_Response):
    """A token endpoint response (RFC 6749 §5.1), plus the validated ID token claims."""

    access_token: str = Field(repr=False)
    token_type: str = "Bearer"  # noqa: S105 - a token type name
    expires_in: int | None = None
    refresh_token: str | None = Field(default=None, repr=False)
    refresh_expires_in: int | None = None
    id_token: str | None = Field(default=None, repr=False)
    scope: str | None = None
    session_state: str | None = Field(default=None, repr=False)
    not_before_policy: int | None = Field(
        default=None,
        validation_alias=AliasChoices("not-before-policy", "not_before_policy"),
        serialization_alias="not-before-policy",
    )
    issued_token_type: str | None = None
    upgraded: bool | None = None
    _id_token_claims: IdTokenClaims | None = PrivateAttr(default=None)

    @property
    def id_token_claims(self) -> IdTokenClaims | None:
        """Claims of the ID token, set only after the token passed full validation."""
        return self._id_token_claims

    def with_id_token_claims(self, claims: IdTokenClaims | None) -> TokenSet:
        copy = self.model_copy()
        copy._id_token_claims = claims
        return copy

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset((self.scope or "").split())

    @property
    def expires_at(self) -> float | None:
        return None if self.expires_in is None else self.received_at + self.expires_in

    @property
    def refresh_expires_at(self) -> float | None:
        if not self.refresh_expires_in:  # Keycloak sends 0 for offline tokens: no fixed expiry
            return None
        return self.received_at + self.refresh_expires_in

    def is_expired(self, *, skew: float = 0.0, now: float | None = None) -> bool:
        """True when the access token expires within `skew` seconds."""
        expires_at = self.expires_at
        if expires_at is None:
            return False
        return (time.time() if now is None else now) >= expires_at - skew


class DeviceAuthorization(_Response):
    """The device authorization response (RFC 8628 §3.2)."""

    device_code: str = Field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None = None
    expires_in: int
    interval: int = 5
    # PKCE verifier of the device authorization request (kept by us, never sent back).
    code_verifier: str | None = Field(default=None, repr=False, exclude=True)

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in


class CibaAuthentication(_Response):
    """The backchannel authentication response (OpenID CIBA core §7.3)."""

    auth_req_id: str = Field(repr=False)
    expires_in: int
    interval: int = 5

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in


class PushedAuthorization(_Response):
    """A pushed authorization request response (RFC 9126 §2.2)."""

    request_uri: str = Field(repr=False)
    expires_in: int


class IntrospectedPermission(BaseModel):
    """One permission of an introspected RPT."""

    model_config = ConfigDict(extra="allow", frozen=True)
    rsid: str | None = None
    rsname: str | None = None
    resource_id: str | None = None
    resource_scopes: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)


class TokenIntrospection(_Response):
    """An introspection response (RFC 7662 §2.2); `permissions` is set for RPTs."""

    active: bool
    scope: str | None = None
    client_id: str | None = None
    username: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    sub: str | None = None
    aud: str | list[str] | None = None
    iss: str | None = None
    jti: str | None = None
    azp: str | None = None
    typ: str | None = None
    permissions: list[IntrospectedPermission] | None = None

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset((self.scope or "").split())


class UserInfo(dict[str, Any]):
    """UserInfo claims (OIDC core §5.3.2).

    A `dict` so that it can be stored in a web session or returned as JSON as-is (the seed
    does `session["user"] = userinfo`); the standard claims are typed properties.
    """

    def __init__(self, claims: Mapping[str, Any]) -> None:
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise ValueError("userinfo response has no 'sub'")
        super().__init__(claims)

    @property
    def sub(self) -> str:
        value: str = self["sub"]
        return value

    def _str(self, name: str) -> str | None:
        value = self.get(name)
        return value if isinstance(value, str) else None

    @property
    def preferred_username(self) -> str | None:
        return self._str("preferred_username")

    @property
    def email(self) -> str | None:
        return self._str("email")

    @property
    def email_verified(self) -> bool | None:
        value = self.get("email_verified")
        return value if isinstance(value, bool) else None

    @property
    def name(self) -> str | None:
        return self._str("name")

    @property
    def given_name(self) -> str | None:
        return self._str("given_name")

    @property
    def family_name(self) -> str | None:
        return self._str("family_name")
