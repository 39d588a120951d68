"""TokenSet is the core's generated TokenResponse plus what the flows bind to it."""

from __future__ import annotations

import pytest
from keycloak_sdk.extensions.claims import IdTokenClaims
from keycloak_sdk.extensions.errors import UnexpectedTokenTypeError
from keycloak_sdk.extensions.tokens import TokenSet

from keycloak_sdk.models import TokenResponse

ANSWER = {
    "access_token": "AT",
    "token_type": "bearer",
    "expires_in": 60,
    "refresh_token": "RT",
    "refresh_expires_in": 0,
    "scope": "openid email",
    "not-before-policy": 0,
    "kc_extra": 1,
}


def test_is_the_core_model_with_its_fields_and_mapping_access() -> None:
    tokens = TokenSet.from_core(TokenResponse.from_dict(ANSWER))
    assert isinstance(tokens, TokenResponse)
    assert tokens.not_before_policy == 0
    assert tokens["not-before-policy"] == 0
    assert tokens["kc_extra"] == 1
    assert tokens.get("id_token") is None
    assert "refresh_token" in tokens
    assert set(tokens.keys()) == set(ANSWER)
    assert tokens.to_dict() == ANSWER
    assert tokens.scopes == frozenset({"openid", "email"})


def test_expiry_from_the_time_received() -> None:
    tokens = TokenSet.from_core(TokenResponse.from_dict(ANSWER))
    assert tokens.expires_at == tokens.received_at + 60
    assert tokens.refresh_expires_at is None  # 0: an offline token has no fixed expiry
    assert not tokens.is_expired(now=tokens.received_at + 59)
    assert tokens.is_expired(skew=2, now=tokens.received_at + 59)


def test_id_token_claims_are_carried_by_a_copy() -> None:
    tokens = TokenSet.from_core(TokenResponse.from_dict(ANSWER))
    claims = IdTokenClaims({"iss": "i", "sub": "s", "aud": "a", "exp": 1, "iat": 0})
    with_claims = tokens.with_id_token_claims(claims)
    assert tokens.id_token_claims is None
    assert with_claims.id_token_claims is claims
    assert with_claims.received_at == tokens.received_at
    assert with_claims["kc_extra"] == 1
    assert repr(with_claims).startswith("TokenSet(")
    assert "AT" not in repr(with_claims).replace("***", "")


@pytest.mark.parametrize(("token_type", "dpop"), [("mac", False), ("DPoP", False)])
def test_unexpected_token_type_is_refused(token_type: str, dpop: bool) -> None:
    with pytest.raises(UnexpectedTokenTypeError):
        TokenSet.from_core(TokenResponse.from_dict({**ANSWER, "token_type": token_type}), dpop=dpop)
