"""Typed claims: properties, roles, permissions, immutability and a repr without the token."""

from __future__ import annotations

import pytest
from keycloak_sdk.extensions.claims import (
    AccessTokenClaims,
    IdTokenClaims,
    LogoutTokenClaims,
    Permission,
)

from tests.unit.jose.forge import (
    CLIENT_ID,
    access_claims,
    id_claims,
    logout_claims,
    sign,
    validator,
)

RPT = access_claims(
    realm_access={"roles": ["user", "admin", 7]},
    resource_access={CLIENT_ID: {"roles": ["reader", "writer"]}, "account": {"roles": ["view"]}},
    authorization={
        "permissions": [
            {"rsid": "r-1", "rsname": "documents", "scopes": ["read", "write"]},
            {"rsid": "r-2", "rsname": "admin-area"},
            "junk",
        ]
    },
)


def test_access_token_properties() -> None:
    claims = validator().validate_access_token(sign(RPT))
    assert isinstance(claims, AccessTokenClaims)
    assert claims.aud == ("sdk-api", "account")
    assert claims.azp == CLIENT_ID
    assert claims.typ == "Bearer"
    assert claims.scopes == {"openid", "email", "profile"}
    assert claims.realm_roles == {"user", "admin"}
    assert claims.has_realm_role("admin") and not claims.has_realm_role("root")
    assert claims.client_roles(CLIENT_ID) == {"reader", "writer"}
    assert claims.client_roles("missing") == frozenset()
    assert claims.has_client_role(CLIENT_ID, "writer")
    assert not claims.has_client_role("account", "writer")
    assert dict(claims.resource_access) == {
        CLIENT_ID: frozenset({"reader", "writer"}),
        "account": frozenset({"view"}),
    }
    assert claims.permissions == (
        Permission("r-1", "documents", frozenset({"read", "write"})),
        Permission("r-2", "admin-area", frozenset()),
    )
    assert claims.has_permission("documents", "read")
    assert claims.has_permission("r-1")
    assert not claims.has_permission("documents", "delete")
    assert claims.has_permission("admin-area")
    assert not claims.has_permission("admin-area", "read")


def test_raw_is_read_only_and_complete() -> None:
    claims = AccessTokenClaims(RPT)
    assert claims.raw["jti"] == "jti-1"
    with pytest.raises(TypeError):
        claims.raw["sub"] = "admin"  # type: ignore[index]


def test_claims_are_immutable_and_detached_from_the_input() -> None:
    source = access_claims()
    claims = AccessTokenClaims(source)
    source["sub"] = "changed"
    assert claims.sub == "user-1"
    with pytest.raises(AttributeError):
        claims.sub = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        claims.anything = 1


def test_repr_never_contains_the_token() -> None:
    token = sign(access_claims())
    claims = validator().validate_access_token(token)
    text = repr(claims)
    assert "user-1" in text
    for part in token.split("."):
        assert part not in text


def test_malformed_optional_claims_are_typed_safely() -> None:
    claims = AccessTokenClaims(
        {"sub": 5, "aud": {"x": 1}, "exp": "soon", "scope": 3, "realm_access": [], "azp": None}
    )
    assert claims.sub is None
    assert claims.aud == ()
    assert claims.exp is None
    assert claims.scopes == frozenset()
    assert claims.realm_roles == frozenset()
    assert claims.permissions == ()


def test_id_and_logout_claims() -> None:
    id_token = IdTokenClaims(id_claims(at_hash="abc", email_verified=True))
    assert id_token.email == "alice@example.com"
    assert id_token.email_verified is True
    assert id_token.name == "Alice Liddell"
    assert id_token.preferred_username == "alice"
    assert id_token.nonce == "n-0S6_WzA2Mj"
    assert id_token.at_hash == "abc"
    logout = LogoutTokenClaims(logout_claims(revoke_offline_access=True))
    assert logout.sid == "session-1"
    assert logout.revoke_offline_access
    assert "http://schemas.openid.net/event/backchannel-logout" in logout.events


def test_equality() -> None:
    assert AccessTokenClaims(access_claims()) == AccessTokenClaims(access_claims())
    assert AccessTokenClaims(access_claims()) != IdTokenClaims(access_claims())
    assert hash(AccessTokenClaims(access_claims())) == hash(AccessTokenClaims(access_claims()))
