"""DPoP against the real Keycloak: client `sdk-dpop` requires DPoP-bound tokens (26.4+)."""

from __future__ import annotations

import pytest
from keycloak_sdk.extensions import AsyncClient, Client
from keycloak_sdk.extensions.dpop import (
    DPoPKey,
    DPoPVerifier,
    InvalidDPoPProofError,
    check_token_binding,
)
from keycloak_sdk.extensions.errors import OAuthError

from tests.helpers.keycloak import RunningKeycloak

SECRET = "sdk-dpop-secret"


def _client(keycloak: RunningKeycloak, **options: object) -> Client:
    return Client(
        issuer=keycloak.issuer,
        client_id="sdk-dpop",
        client_secret=SECRET,
        **options,  # type: ignore[arg-type]
    )


def _dpop_supported(keycloak: RunningKeycloak) -> bool:
    # DPoP became a supported, enabled-by-default feature in Keycloak 26.4 (a preview
    # behind --features=dpop before): older servers ignore the client's DPoP setting.
    return keycloak.at_least(26, 4)


def test_dpop_bound_tokens_on_every_endpoint(keycloak: RunningKeycloak) -> None:
    key = DPoPKey()
    with _client(keycloak, dpop=key) as kc:
        tokens = kc.password_grant("alice", "alice-password")
        claims = kc.validate_access_token(tokens, audience="sdk-api")
        if not _dpop_supported(keycloak):
            assert tokens.token_type.lower() == "bearer"
            return
        assert tokens.token_type == "DPoP"
        assert claims.raw["cnf"]["jkt"] == key.jkt  # type: ignore[index]
        # userinfo: the token goes with the DPoP scheme and a proof carrying its ath.
        assert kc.fetch_userinfo(tokens).sub == claims.sub
        introspected = kc.introspect(tokens)
        assert introspected.active is True
        # refresh: a new proof with the same key keeps the binding.
        fresh = kc.refresh(tokens)
        assert fresh.token_type == "DPoP"
        fresh_claims = kc.validate_access_token(fresh, audience="sdk-api")
        assert fresh_claims.raw["cnf"]["jkt"] == key.jkt  # type: ignore[index]
        service = kc.client_credentials()
        assert service.token_type == "DPoP"


@pytest.mark.asyncio(loop_scope="session")
async def test_async_dpop_client(keycloak: RunningKeycloak) -> None:
    async with AsyncClient(
        issuer=keycloak.issuer, client_id="sdk-dpop", client_secret=SECRET, dpop=True
    ) as kc:
        tokens = await kc.password_grant("alice", "alice-password")
        if _dpop_supported(keycloak):
            assert tokens.token_type == "DPoP"
            assert kc.dpop_key is not None
            claims = await kc.validate_access_token(tokens, audience="sdk-api")
            assert claims.raw["cnf"]["jkt"] == kc.dpop_key.jkt  # type: ignore[index]
            assert (await kc.fetch_userinfo(tokens)).sub == claims.sub


def test_client_requiring_dpop_refuses_requests_without_proof(keycloak: RunningKeycloak) -> None:
    if not _dpop_supported(keycloak):
        # The preview feature is off: the client's DPoP setting is ignored.
        with _client(keycloak) as kc:
            assert kc.client_credentials().token_type.lower() == "bearer"
        return
    with _client(keycloak) as kc, pytest.raises(OAuthError) as refused:
        kc.client_credentials()
    # 26.4 to 26.7 answer invalid_request ("DPoP proof is missing"); RFC 9449 names
    # invalid_dpop_proof, which later versions may use.
    assert refused.value.error in ("invalid_dpop_proof", "invalid_request")


def test_resource_server_checks_a_real_token_and_proof(keycloak: RunningKeycloak) -> None:
    key = DPoPKey()
    url = "https://api.example/orders"
    with _client(keycloak, dpop=key) as kc:
        tokens = kc.client_credentials()
        claims = kc.validate_access_token(tokens, audience="sdk-api")
    verifier = DPoPVerifier()
    if not _dpop_supported(keycloak):
        # An unbound token: nothing to bind the proof to, and Bearer is the right scheme.
        assert check_token_binding(claims.raw, "Bearer") is None
        return
    cnf = claims.raw["cnf"]
    assert isinstance(cnf, dict)
    jkt = cnf["jkt"]
    proof = key.proof("GET", url, access_token=tokens.access_token)
    assert verifier.verify(
        proof, method="GET", url=url, access_token=tokens.access_token, token_jkt=jkt
    )
    # Another key's proof for the same token: the binding refuses it.
    thief = DPoPKey().proof("GET", url, access_token=tokens.access_token)
    with pytest.raises(InvalidDPoPProofError, match="bound to"):
        verifier.verify(
            thief, method="GET", url=url, access_token=tokens.access_token, token_jkt=jkt
        )
