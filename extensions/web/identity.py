"""Who made a request: the validated access-token claims and where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from keycloak_sdk.extensions.claims import AccessTokenClaims

IdentitySource = Literal["session", "bearer", "introspection"]


@dataclass(frozen=True)
class Identity:
    """An authenticated caller. `access_token` never appears in repr."""

    claims: AccessTokenClaims
    access_token: str = field(repr=False)
    source: IdentitySource
    client_id: str = ""
    id_token: str | None = field(default=None, repr=False)

    def __init__(
        self,
        claims: AccessTokenClaims,
        access_token: str,
        source: IdentitySource,
        client_id: str = "",
        id_token: str | None = None,
    ) -> None:
        # Built for every validated bearer token: the fields go straight into the instance
        # dict, where the generated frozen __init__ makes one object.__setattr__ call each.
        fields = self.__dict__
        fields["claims"] = claims
        fields["access_token"] = access_token
        fields["source"] = source
        fields["client_id"] = client_id
        fields["id_token"] = id_token

    @property
    def subject(self) -> str | None:
        return self.claims.sub

    @property
    def username(self) -> str | None:
        return self.claims.preferred_username

    @property
    def realm_roles(self) -> frozenset[str]:
        return self.claims.realm_roles

    @property
    def scopes(self) -> frozenset[str]:
        return self.claims.scopes

    def client_roles(self, client_id: str | None = None) -> frozenset[str]:
        return self.claims.client_roles(client_id or self.client_id)
