"""The flow results that add behaviour to the core's models (`keycloak_sdk.models`).

Everything else the flows return (introspection, PAR, UMA resources, tickets, policies...)
is the core's model itself. Token and code values never appear in `repr()` or `str()`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import define, field
from keycloak_sdk.extensions.claims import IdTokenClaims
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PrivateAttr

from keycloak_sdk.models import (
    BackchannelAuthenticationResponse,
    DeviceAuthorizationResponse,
    TokenResponse,
)
from keycloak_sdk.models import UserInfoResponse as CoreUserInfo

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
    """A token endpoint response (RFC 6749 §5.1), built from the core's `TokenResponse`.

    Kept as its own type because it adds behaviour the wire model cannot have: the ID token
    claims, set only once the token passed full validation, and expiry computed from the time
    the response was received (`expires_at`, `is_expired`) for the token managers.
    """

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

    @classmethod
    def from_core(cls, response: TokenResponse) -> TokenSet:
        return cls.model_validate(response.to_dict())

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


def _received_at() -> float:
    return time.time()


@define
class DeviceAuthorization(DeviceAuthorizationResponse):
    """The core's device authorization response (RFC 8628 §3.2), plus what polling needs.

    A subclass rather than the core model itself because the flow binds two things to it:
    the PKCE verifier of the request (Keycloak applies the client's PKCE policy to the device
    grant) and the time it was received, from which `expires_at` is computed.
    """

    code_verifier: str | None = field(default=None, repr=False)
    received_at: float = field(factory=_received_at, repr=False)

    @classmethod
    def from_core(
        cls, response: DeviceAuthorizationResponse, code_verifier: str | None
    ) -> DeviceAuthorization:
        authorization = cls.from_dict(response.to_dict())
        authorization.code_verifier = code_verifier
        return authorization

    @property
    def poll_interval(self) -> int:
        return self.interval if isinstance(self.interval, int) else 5

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in


@define
class CibaAuthentication(BackchannelAuthenticationResponse):
    """The core's backchannel authentication response (CIBA core §7.3), plus `expires_at`.

    A subclass because polling needs the absolute expiry, i.e. the time it was received.
    """

    received_at: float = field(factory=_received_at, repr=False)

    @classmethod
    def from_core(cls, response: BackchannelAuthenticationResponse) -> CibaAuthentication:
        return cls.from_dict(response.to_dict())

    @property
    def poll_interval(self) -> int:
        return self.interval if isinstance(self.interval, int) else 5

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in


class UserInfo(dict[str, Any]):
    """UserInfo claims (OIDC core §5.3.2).

    A `dict` so that it can be stored in a web session or returned as JSON as-is (the seed
    does `session["user"] = userinfo` and `jsonify(userinfo)`), which the core's attrs
    `UserInfo` cannot be; the standard claims are typed properties. Built from the core's
    model, or from the verified claims of a signed (`application/jwt`) response.
    """

    @classmethod
    def from_core(cls, userinfo: CoreUserInfo) -> UserInfo:
        return cls(userinfo.to_dict())

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
