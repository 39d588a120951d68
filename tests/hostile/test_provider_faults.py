"""Discovery, keys, userinfo and refresh answers the hostile provider gets wrong."""

from __future__ import annotations

import secrets

import httpx
import pytest
from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.errors import ConfigurationError, TokenMismatchError
from keycloak_sdk.extensions.jose import JwksCache
from keycloak_sdk.extensions.jose.errors import (
    InvalidIssuerError,
    KeyNotFoundError,
)
from keycloak_sdk.extensions.validation import TokenValidator

from keycloak_sdk.errors import KeycloakError
from tests.hostile.apps import FRAMEWORKS, browser_login, example_client
from tests.hostile.cases import NO_KID
from tests.hostile.helpers import async_flow_client, redirect_query
from tests.hostile.provider import CLIENT_ID, HostileProvider, new_rsa_key


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _login(client: Client, provider_http: httpx.Client) -> object:
    transaction = client.begin_login()
    return client.complete_login(
        transaction, redirect_query(provider_http, transaction.authorization_url)
    )


def _cached_validator(provider: HostileProvider, clock: ManualClock) -> TokenValidator:
    url = f"{provider.issuer}/protocol/openid-connect/certs"
    jwks = JwksCache(lambda: httpx.get(url, timeout=5).content, clock=clock)
    return TokenValidator(
        issuer=provider.issuer, client_id=CLIENT_ID, jwks=jwks, accept_azp_as_audience=True
    )


def test_discovery_naming_another_issuer_is_refused(
    provider: HostileProvider, client: Client
) -> None:
    provider.faults.discovery_issuer = f"{provider.issuer}-evil"
    with pytest.raises(ConfigurationError) as refused:
        client.provider_metadata()
    assert isinstance(refused.value, KeycloakError)
    assert provider.count("token") == 0


async def test_async_discovery_naming_another_issuer_is_refused(
    provider: HostileProvider,
) -> None:
    provider.faults.discovery_issuer = "https://evil.example/realms/sdk-test"
    async with async_flow_client(provider) as client:
        with pytest.raises(ConfigurationError):
            await client.begin_login()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_middleware_with_discovery_naming_another_issuer(
    framework: str, provider: HostileProvider
) -> None:
    provider.faults.discovery_issuer = "https://evil.example/realms/sdk-test"
    with example_client(framework, provider.base_url) as app:
        login = app.get("/profile")
        bearer = app.get("/api/me", headers={"Authorization": f"Bearer {provider.access_token()}"})
        public = app.get("/public")
    # The provider is misconfigured, not the caller: 503 (documented), never 500 or a redirect.
    assert login.status_code == 503, login.status_code
    assert bearer.status_code == 503, bearer.status_code
    assert public.status_code == 200
    assert provider.count("token") == 0


def test_kid_absent_with_one_key_is_accepted(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    provider.faults.id_token = NO_KID.forge
    assert _login(client, provider_http) is not None


def test_kid_absent_with_several_keys_is_refused(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    provider.jwks_keys.append(provider.public_jwk(new_rsa_key(), "second-rs256"))
    provider.faults.id_token = NO_KID.forge
    with pytest.raises(NO_KID.error):
        _login(client, provider_http)
    assert provider.count("userinfo") == 0


def test_signing_key_rotation_is_accepted_after_one_refetch(provider: HostileProvider) -> None:
    clock = ManualClock()
    validator = _cached_validator(provider, clock)
    old_token = provider.access_token()
    validator.validate_access_token(old_token)
    assert provider.count("jwks") == 1
    provider.rotate()
    clock.now += 31  # past the refetch cooldown, within the keys' TTL
    validator.validate_access_token(provider.access_token())
    assert provider.count("jwks") == 2
    # The old key left the JWKS: its tokens are refused, and no new fetch is spent on it.
    with pytest.raises(KeyNotFoundError):
        validator.validate_access_token(old_token)
    assert provider.count("jwks") == 2


def test_random_kids_cost_at_most_one_refetch_per_cooldown(provider: HostileProvider) -> None:
    clock = ManualClock()
    validator = _cached_validator(provider, clock)
    validator.validate_access_token(provider.access_token())
    for _ in range(100):
        forged = provider.sign(provider.access_claims(), kid=secrets.token_hex(8))
        with pytest.raises(KeyNotFoundError):
            validator.validate_access_token(forged)
    assert provider.count("jwks") == 1  # the first fetch is younger than the cooldown
    clock.now += 31
    for _ in range(100):
        forged = provider.sign(provider.access_claims(), kid=secrets.token_hex(8))
        with pytest.raises(KeyNotFoundError):
            validator.validate_access_token(forged)
    assert provider.count("jwks") == 2


def test_random_kids_through_the_flow_client(provider: HostileProvider, client: Client) -> None:
    client.validate_access_token(provider.access_token())
    for _ in range(100):
        with pytest.raises(KeyNotFoundError):
            client.validate_access_token(provider.sign(provider.access_claims(), kid="r" * 9))
    assert provider.count("jwks") == 1


def test_random_kids_through_the_middleware(app: httpx.Client, provider: HostileProvider) -> None:
    assert app.get("/api/me", headers={"Authorization": f"Bearer {provider.access_token()}"})
    before = provider.count("jwks")
    for _ in range(100):
        forged = provider.sign(provider.access_claims(), kid=secrets.token_hex(8))
        answer = app.get("/api/me", headers={"Authorization": f"Bearer {forged}"})
        assert answer.status_code == 401
    assert provider.count("jwks") - before <= 1


def test_userinfo_for_another_subject_is_refused(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    result = _login(client, provider_http)
    provider.faults.userinfo_sub = "mallory-sub"
    with pytest.raises(TokenMismatchError):
        client.fetch_userinfo(result.tokens)  # type: ignore[attr-defined]


async def test_async_userinfo_for_another_subject_is_refused(
    provider: HostileProvider, provider_http: httpx.Client
) -> None:
    async with async_flow_client(provider) as client:
        transaction = await client.begin_login()
        result = await client.complete_login(
            transaction, redirect_query(provider_http, transaction.authorization_url)
        )
        provider.faults.userinfo_sub = "mallory-sub"
        with pytest.raises(TokenMismatchError):
            await client.fetch_userinfo(result.tokens)


def test_refreshed_id_token_with_another_subject_is_refused(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    result = _login(client, provider_http)
    provider.faults.refresh_id_token = lambda p, claims: p.sign({**claims, "sub": "mallory"})
    with pytest.raises(TokenMismatchError):
        client.refresh(result.tokens)  # type: ignore[attr-defined]


def test_refreshed_id_token_with_another_issuer_is_refused(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    result = _login(client, provider_http)
    provider.faults.refresh_id_token = lambda p, claims: p.sign(
        {**claims, "iss": "https://evil.example/realms/sdk-test"}
    )
    with pytest.raises(InvalidIssuerError):
        client.refresh(result.tokens)  # type: ignore[attr-defined]


async def test_async_refreshed_id_token_with_another_subject_is_refused(
    provider: HostileProvider, provider_http: httpx.Client
) -> None:
    async with async_flow_client(provider) as client:
        transaction = await client.begin_login()
        result = await client.complete_login(
            transaction, redirect_query(provider_http, transaction.authorization_url)
        )
        provider.faults.refresh_id_token = lambda p, claims: p.sign({**claims, "sub": "mallory"})
        with pytest.raises(TokenMismatchError):
            await client.refresh(result.tokens)


def test_middleware_session_refresh_for_another_subject_is_refused(
    app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    # Tokens living 5 s are inside the session's refresh skew: the next request refreshes.
    provider.faults.expires_in = 5
    assert browser_login(app, provider_http).status_code == 302
    provider.faults.refresh_subject = "mallory-sub"
    answer = app.get("/profile")
    assert provider.count("token") == 2  # the code exchange, then the refresh
    assert answer.status_code != 500
    if answer.status_code == 200:
        assert answer.json()["user"] == "alice", "the session now carries another user"
    else:
        assert answer.status_code == 302  # the session was dropped: log in again
