"""Browser login against the real Keycloak login form (driven over httpx)."""

from __future__ import annotations

import pytest
from keycloak_sdk.extensions.errors import (
    InvalidGrantError,
    IssuerMismatchError,
    KeycloakError,
    StateMismatchError,
    TokenMismatchError,
)
from keycloak_sdk.extensions.login import LoginTransaction
from keycloak_sdk.extensions.tokens import TokenSet

from tests.helpers.flow_clients import REDIRECT_URI, MakeClient, maybe
from tests.keycloak_browser import login_redirect

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_full_login_validates_id_token_and_fetches_userinfo(make_client: MakeClient) -> None:
    kc = make_client()
    transaction = await maybe(kc.begin_login())
    # The transaction survives a round trip through session storage.
    stored = LoginTransaction.from_dict(transaction.to_dict())
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    assert query["iss"] == kc.settings.issuer

    result = await maybe(kc.complete_login(stored, query))

    claims = result.id_token_claims
    assert claims.nonce == transaction.nonce
    assert claims.preferred_username == "alice"
    assert "sdk-confidential" in claims.aud
    assert result.tokens["access_token"] == result.tokens.access_token
    userinfo = await maybe(kc.fetch_userinfo(result.tokens, id_token_claims=claims))
    assert userinfo.sub == claims.sub
    assert userinfo.email == "alice@example.com"


async def test_public_client_login_with_pkce(make_client: MakeClient) -> None:
    kc = make_client("sdk-public")
    assert kc.settings.is_public
    transaction = await maybe(kc.begin_login(login_hint="bob"))
    assert "login_hint=bob" in transaction.authorization_url
    query = login_redirect(transaction.authorization_url, "bob", "bob-password", REDIRECT_URI)
    result = await maybe(kc.complete_login(transaction, query))
    assert result.id_token_claims.preferred_username == "bob"


async def test_code_is_refused_without_the_matching_verifier(make_client: MakeClient) -> None:
    kc = make_client()
    transaction = await maybe(kc.begin_login())
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    other = await maybe(kc.begin_login())
    forged = LoginTransaction.from_dict({**other.to_dict(), "state": transaction.state})
    with pytest.raises(InvalidGrantError) as caught:
        await maybe(kc.complete_login(forged, query))
    assert caught.value.status_code == 400


async def test_state_and_issuer_mismatches_are_rejected(make_client: MakeClient) -> None:
    kc = make_client()
    transaction = await maybe(kc.begin_login())
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    with pytest.raises(StateMismatchError):
        await maybe(kc.complete_login(transaction, {**query, "state": "forged-state"}))
    with pytest.raises(IssuerMismatchError):
        await maybe(kc.complete_login(transaction, {**query, "iss": "http://evil.example"}))
    without_iss = {k: v for k, v in query.items() if k != "iss"}
    with pytest.raises(IssuerMismatchError):
        await maybe(kc.complete_login(transaction, without_iss))
    # The genuine redirect still completes.
    result = await maybe(kc.complete_login(transaction, query))
    assert result.id_token_claims.preferred_username == "alice"


async def test_keycloak_client_login_and_callback(make_client: MakeClient) -> None:
    kc = make_client()
    url, state = await maybe(kc.login())
    query = login_redirect(url, "alice", "alice-password", REDIRECT_URI)
    assert query["state"] == state
    tokens = await maybe(kc.callback(query["code"]))
    assert isinstance(tokens, TokenSet)
    assert tokens.id_token_claims is not None
    with pytest.raises(KeycloakError):  # the code is spent (and its nonce too)
        await maybe(kc.callback(query["code"]))


async def test_keycloak_client_callback_serves_many_users_and_survives_abandoned_logins(
    make_client: MakeClient,
) -> None:
    """One module-level client (keycloak-client's `kc = Client()`): logins of several users
    interleave, some are never finished, and each callback(code) completes its own user."""
    kc = make_client()
    started = [await maybe(kc.login()) for _ in range(3)]
    abandoned = [await maybe(kc.login()) for _ in range(20)]
    assert len({state for _, state in started + abandoned}) == 23
    users = ("alice", "bob", "alice")
    codes = [
        login_redirect(url, user, f"{user}-password", REDIRECT_URI)["code"]
        for (url, _), user in zip(started, users, strict=True)
    ]
    for code, user in reversed(list(zip(codes, users, strict=True))):
        tokens = await maybe(kc.callback(code))
        assert tokens.id_token_claims is not None
        assert tokens.id_token_claims.preferred_username == user


async def test_keycloak_client_callback_in_another_worker(make_client: MakeClient) -> None:
    """login() in one process, callback(code) in another: two clients with the same secret
    stand for two workers; nothing is shared between them but the configuration."""
    url, _ = await maybe(make_client().login())
    query = login_redirect(url, "alice", "alice-password", REDIRECT_URI)
    tokens = await maybe(make_client().callback(query["code"]))
    assert tokens.id_token_claims is not None


async def test_keycloak_client_callback_refuses_a_code_from_someone_elses_login(
    make_client: MakeClient,
) -> None:
    """A code obtained through begin_login (a nonce not issued by login()) is refused."""
    kc = make_client()
    transaction = await maybe(kc.begin_login())
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    with pytest.raises(KeycloakError):
        await maybe(kc.callback(query["code"]))


async def test_pushed_authorization_request(make_client: MakeClient) -> None:
    kc = make_client()
    transaction = await maybe(kc.begin_login(par=True, prompt="login"))
    assert "request_uri=" in transaction.authorization_url
    assert "code_challenge" not in transaction.authorization_url
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    result = await maybe(kc.complete_login(transaction, query))
    assert result.id_token_claims.preferred_username == "alice"


async def test_login_options_and_offline_access(make_client: MakeClient) -> None:
    kc = make_client()
    transaction = await maybe(
        kc.begin_login(offline_access=True, max_age=300, acr_values="1", scopes=["sdk-extra"])
    )
    assert transaction.scope == "openid sdk-extra offline_access"
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    result = await maybe(kc.complete_login(transaction, query))
    assert {"offline_access", "sdk-extra"} <= result.tokens.scopes
    assert result.tokens.refresh_expires_at is None  # offline tokens have no fixed expiry


async def test_refresh_keeps_the_identity(make_client: MakeClient) -> None:
    kc = make_client()
    transaction = await maybe(kc.begin_login())
    query = login_redirect(transaction.authorization_url, "alice", "alice-password", REDIRECT_URI)
    result = await maybe(kc.complete_login(transaction, query))
    refreshed = await maybe(kc.refresh(result.tokens))
    assert refreshed.id_token_claims is not None
    assert refreshed.access_token != result.tokens.access_token
    assert refreshed.id_token_claims.sub == result.id_token_claims.sub
    # A refresh token of bob presented as a continuation of alice's session is caught.
    bob = await maybe(kc.password_grant("bob", "bob-password"))
    assert bob.refresh_token is not None
    with pytest.raises(TokenMismatchError):
        await maybe(kc.refresh(bob.refresh_token, previous=result.tokens))
