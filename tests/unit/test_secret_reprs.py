"""Generated wire models never show credentials or tokens in their repr (logs, tracebacks)."""

from __future__ import annotations

from keycloak_sdk.models import PasswordGrant, TokenResponse


def test_token_response_repr_hides_tokens() -> None:
    tokens = TokenResponse(
        access_token="access-secret",
        token_type="Bearer",
        refresh_token="refresh-secret",
        id_token="id-secret",
        expires_in=300,
    )
    text = repr(tokens)
    assert "expires_in=300" in text
    for secret in ("access-secret", "refresh-secret", "id-secret"):
        assert secret not in text
    # The values are still there for the code that needs them.
    assert tokens["access_token"] == "access-secret"
    assert tokens.to_dict()["refresh_token"] == "refresh-secret"


def test_request_models_hide_passwords() -> None:
    grant = PasswordGrant.from_dict(
        {"grant_type": "password", "username": "alice", "password": "pw-secret"}
    )
    assert "pw-secret" not in repr(grant)
    assert "alice" in repr(grant)
