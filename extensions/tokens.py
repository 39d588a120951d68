"""The flow results that add behaviour to the core's models (`keycloak_sdk.models`).

Everything else the flows return (introspection, PAR, UMA resources, tickets, policies...)
is the core's model itself. Token and code values never appear in `repr()` or `str()`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import attrs
from attrs import define, field
from keycloak_sdk.extensions.errors import UnexpectedTokenTypeError

from keycloak_sdk.models import (
    BackchannelAuthenticationResponse,
    DeviceAuthorizationResponse,
    TokenResponse,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from keycloak_sdk.extensions.claims import IdTokenClaims

    from keycloak_sdk.models import UserInfoResponse as CoreUserInfo


def _received_at() -> float:
    return time.time()


@define(repr=False)
class TokenSet(TokenResponse):
    """A token endpoint response (RFC 6749 §5.1): the core's `TokenResponse`, plus what the
    flows bind to it.

    A subclass rather than the core model itself because it carries two things the wire model
    cannot: the ID token claims, set only once the token passed full validation, and the time
    the response was received, from which `expires_at` and `is_expired` are computed for the
    token managers. Every field and the mapping-style access (`tokens["access_token"]`) are
    the core model's; tokens never appear in `repr()`.
    """

    received_at: float = field(factory=_received_at, repr=False, kw_only=True)
    _id_token_claims: IdTokenClaims | None = field(default=None, repr=False, kw_only=True)

    @classmethod
    def from_core(cls, response: TokenResponse, *, dpop: bool = False) -> TokenSet:
        """The token set of a response whose `token_type` is `Bearer` (any case), or `DPoP`
        when the request carried a DPoP proof; anything else is `UnexpectedTokenTypeError`.
        """
        tokens = cls.from_dict(response.to_dict())
        kind = tokens.token_type.lower()
        if kind != "bearer" and not (dpop and kind == "dpop"):
            raise UnexpectedTokenTypeError(
                tokens.token_type, ("Bearer", "DPoP") if dpop else ("Bearer",)
            )
        return tokens

    def __repr__(self) -> str:
        # The core model's readable repr (set fields, tokens masked) under this class's name.
        text = super().__repr__()
        return "TokenSet" + text[text.index("(") :]

    @property
    def id_token_claims(self) -> IdTokenClaims | None:
        """Claims of the ID token, set only after the token passed full validation."""
        return self._id_token_claims

    def with_id_token_claims(self, claims: IdTokenClaims | None) -> TokenSet:
        """A copy of this token set carrying the validated ID token claims."""
        copy = attrs.evolve(self, id_token_claims=claims)
        copy.additional_properties = dict(self.additional_properties)
        return copy

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style access with a default (`tokens.get("refresh_token")`)."""
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> Iterator[str]:
        """The JSON keys of the response (those present)."""
        return iter(self.to_dict())

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

    A `dict` so that it can be stored in a web session or returned as JSON as-is (the
    keycloak-client package's examples do `session["user"] = userinfo` and
    `jsonify(userinfo)`), which the core's attrs `UserInfo` cannot be; the standard claims
    are typed properties. Built from the core's model, or from the verified claims of a
    signed (`application/jwt`) response.
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
