"""Generated wire models never show credentials or tokens in their repr (logs, tracebacks)."""

from __future__ import annotations

from keycloak_sdk.models import IntrospectionResponse, TokenResponse


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


def test_introspection_repr_hides_the_client_secret_free_fields_only() -> None:
    info = IntrospectionResponse.from_dict({"active": True, "username": "alice", "sub": "s-1"})
    assert "alice" in repr(info)
