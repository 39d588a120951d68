"""Smoke test through the SDK: discovery, a token and its validation, on the running version.

CI runs it (with the generated, flow and browser suites) on every supported Keycloak
version; see docs/regenerating.md, "Supported versions".
"""

from __future__ import annotations

from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.validation import TokenValidator

from keycloak_sdk import KeycloakClient
from tests.helpers.keycloak import RunningKeycloak


def test_discovery_and_client_credentials(keycloak: RunningKeycloak) -> None:
    with KeycloakClient.from_issuer(
        keycloak.issuer, client_id="sdk-confidential", client_secret="sdk-confidential-secret"
    ) as core:
        assert core.provider_metadata().issuer == keycloak.issuer
        tokens = core.oidc.token_client_credentials()
        assert tokens.token_type.lower() == "bearer"
    with TokenValidator.from_issuer(keycloak.issuer, client_id="sdk-api") as validator:
        claims = validator.validate_access_token(tokens.access_token)
    assert claims.azp == "sdk-confidential" and "sdk-api" in claims.aud


def test_flow_client_logs_in_with_the_password_grant(keycloak: RunningKeycloak) -> None:
    with Client(
        issuer=keycloak.issuer,
        client_id="sdk-confidential",
        client_secret="sdk-confidential-secret",
    ) as kc:
        tokens = kc.password_grant("alice", "alice-password")
        assert tokens.id_token_claims is not None
        assert tokens.id_token_claims.preferred_username == "alice"
        assert kc.fetch_userinfo(tokens).sub == tokens.id_token_claims.sub
