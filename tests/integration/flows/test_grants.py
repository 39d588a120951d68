"""Token lifecycle and grants against the real server, sync and async."""

from __future__ import annotations

import httpx
import pytest
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.errors import (
    InvalidGrantError,
    TransportError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)
from keycloak_sdk.extensions.token_manager import AsyncTokenManager, TokenManager

from tests.helpers.flow_clients import KEYS, MakeClient, maybe
from tests.helpers.keycloak import RunningKeycloak

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_client_credentials(make_client: MakeClient) -> None:
    tokens = await maybe(make_client().client_credentials())
    claims = await maybe(make_client().validate_access_token(tokens))
    assert claims.azp == "sdk-confidential"
    assert tokens.refresh_token is None or tokens.refresh_token
    assert tokens.expires_in and tokens.expires_in > 0


async def test_client_secret_post(make_client: MakeClient) -> None:
    kc = make_client(auth_method="client_secret_post")
    tokens = await maybe(kc.client_credentials())
    assert tokens.access_token


async def test_client_secret_jwt(make_client: MakeClient) -> None:
    kc = make_client("sdk-jwt", auth_method="client_secret_jwt")
    tokens = await maybe(kc.client_credentials())
    assert tokens.access_token
    # Every request carries a fresh jti, so a second grant is not a replay.
    assert (await maybe(kc.client_credentials())).access_token


async def test_private_key_jwt(make_client: MakeClient) -> None:
    kc = make_client(
        "sdk-private-key-jwt",
        auth_method="private_key_jwt",
        private_key_file=str(KEYS / "sdk-private-key-jwt.key.pem"),
    )
    tokens = await maybe(kc.client_credentials())
    assert tokens.access_token


async def test_wrong_secret_is_a_typed_oauth_error(make_client: MakeClient) -> None:
    kc = make_client(client_secret="not-the-secret")
    # Keycloak 26 answers a bad client secret with unauthorized_client (RFC 6749 says
    # invalid_client); either way it is a typed OAuthError carrying code and status.
    with pytest.raises(UnauthorizedClientError) as caught:
        await maybe(kc.client_credentials())
    assert caught.value.error == "unauthorized_client"
    assert caught.value.status_code == 401
    assert "not-the-secret" not in str(caught.value)


async def test_unreachable_server_is_a_transport_error(make_client: MakeClient) -> None:
    kc = make_client(issuer="http://127.0.0.1:9/realms/sdk-test")
    with pytest.raises(TransportError):
        await maybe(kc.client_credentials())


async def test_password_grant_validates_the_id_token(make_client: MakeClient) -> None:
    tokens = await maybe(make_client().password_grant("alice", "alice-password"))
    assert tokens.id_token_claims is not None
    assert tokens.id_token_claims.preferred_username == "alice"
    with pytest.raises(InvalidGrantError):
        await maybe(make_client().password_grant("alice", "wrong-password"))


async def test_introspect_active_then_revoked(make_client: MakeClient) -> None:
    kc = make_client()
    tokens = await maybe(kc.password_grant("alice", "alice-password"))
    # Keycloak only lets a client in the token's audience introspect it: sdk-exchange is.
    resource_server = make_client("sdk-exchange")
    info = await maybe(resource_server.introspect(tokens.access_token))
    assert info.active is True
    assert info.username == "alice"
    assert info.aud is not None
    assert "sdk-exchange" in info.aud
    await maybe(kc.revoke(tokens.access_token, token_type_hint="access_token"))
    assert (await maybe(resource_server.introspect(tokens.access_token))).active is False


async def test_revoked_refresh_token_cannot_refresh(make_client: MakeClient) -> None:
    kc = make_client()
    tokens = await maybe(kc.password_grant("alice", "alice-password"))
    await maybe(kc.revoke(tokens))  # a TokenSet revokes its refresh token
    with pytest.raises(InvalidGrantError):
        await maybe(kc.refresh(tokens))


async def test_logout_url_and_back_channel_logout(make_client: MakeClient) -> None:
    kc = make_client()
    tokens = await maybe(kc.password_grant("alice", "alice-password"))
    url = await maybe(
        kc.logout_url(
            id_token_hint=tokens,
            post_logout_redirect_uri="http://127.0.0.1/bye",
            state="s1",
        )
    )
    query = httpx.URL(url).params
    assert query["id_token_hint"] == tokens.id_token
    assert query["post_logout_redirect_uri"] == "http://127.0.0.1/bye"
    assert query["state"] == "s1"
    # Keycloak accepts the URL: it answers with its logout confirmation, not an error page.
    async with httpx.AsyncClient() as browser:
        page = await browser.get(url)
    assert page.status_code in (200, 302), page.text[:300]

    await maybe(kc.logout(tokens))
    with pytest.raises(InvalidGrantError) as caught:
        await maybe(kc.refresh(tokens))
    assert caught.value.error == "invalid_grant"


async def test_standard_token_exchange(make_client: MakeClient, keycloak: RunningKeycloak) -> None:
    alice = await maybe(make_client().password_grant("alice", "alice-password"))
    if not keycloak.at_least(26, 2):
        # Standard token exchange (RFC 8693, V2) came in 26.2; before, only the preview V1
        # behind a feature flag: the grant is refused with its typed error (docs/versions.md).
        with pytest.raises(UnsupportedGrantTypeError):
            await maybe(make_client("sdk-exchange").exchange_token(alice, audience="sdk-api"))
        return
    exchanged = await maybe(make_client("sdk-exchange").exchange_token(alice, audience="sdk-api"))
    assert exchanged.issued_token_type == "urn:ietf:params:oauth:token-type:access_token"
    claims = await maybe(
        make_client("sdk-api", client_secret="sdk-api-secret").validate_access_token(exchanged)
    )
    assert claims.preferred_username == "alice"
    assert "sdk-api" in claims.aud


async def test_token_manager_caches_and_refreshes(keycloak: RunningKeycloak) -> None:
    with Client(
        issuer=keycloak.issuer, client_id="sdk-short", client_secret="sdk-short-secret"
    ) as kc:
        cached = TokenManager(kc, skew=0)
        assert cached.token() is cached.token()
        # sdk-short tokens live 5 s: with a 6 s skew every call needs a new one.
        eager = TokenManager(kc, skew=6)
        assert eager.access_token() != eager.access_token()


async def test_async_token_manager_pat(keycloak: RunningKeycloak) -> None:
    async with AsyncClient(
        issuer=keycloak.issuer,
        client_id="sdk-confidential",
        client_secret="sdk-confidential-secret",
    ) as kc:
        manager = AsyncTokenManager(kc, source="pat")
        first = await manager.token()
        assert first is await manager.token()
        await manager.invalidate()
        assert (await manager.token()) is not first
