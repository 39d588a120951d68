"""ID tokens the hostile provider gets wrong: every client refuses them, nobody calls userinfo.

The flow `Client`/`AsyncClient` raise the public `TokenValidationError` subclass named in the
case table; each example app answers the callback with a 4xx (never a 500) and keeps no
session.
"""

from __future__ import annotations

import httpx
import pytest
from keycloak_sdk.extensions.jose.errors import TokenValidationError

from tests.hostile.apps import browser_login
from tests.hostile.cases import ID_TOKEN_CASES, TokenCase
from tests.hostile.helpers import async_flow_client, redirect_query
from tests.hostile.provider import HostileProvider

CASES = [pytest.param(case, id=case.id) for case in ID_TOKEN_CASES]
BEARER_CASES = [pytest.param(case, id=case.id) for case in ID_TOKEN_CASES if case.bearer]


def test_flow_client_accepts_the_correct_provider(
    provider: HostileProvider, client: object, provider_http: httpx.Client
) -> None:
    from keycloak_sdk.extensions import Client

    assert isinstance(client, Client)
    transaction = client.begin_login()
    result = client.complete_login(
        transaction, redirect_query(provider_http, transaction.authorization_url)
    )
    assert result.subject == provider.subject
    assert client.fetch_userinfo(result.tokens).sub == provider.subject


@pytest.mark.parametrize("case", CASES)
def test_flow_client_refuses_id_token(
    case: TokenCase, provider: HostileProvider, client: object, provider_http: httpx.Client
) -> None:
    from keycloak_sdk.extensions import Client

    assert isinstance(client, Client)
    provider.faults.id_token = case.forge
    transaction = client.begin_login()
    query = redirect_query(provider_http, transaction.authorization_url)
    with pytest.raises(case.error) as refused:
        client.complete_login(transaction, query)
    assert isinstance(refused.value, TokenValidationError)
    assert provider.count("token") == 1
    assert provider.count("userinfo") == 0


@pytest.mark.parametrize("case", CASES)
async def test_async_flow_client_refuses_id_token(
    case: TokenCase, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    provider.faults.id_token = case.forge
    async with async_flow_client(provider) as client:
        transaction = await client.begin_login()
        query = redirect_query(provider_http, transaction.authorization_url)
        with pytest.raises(case.error):
            await client.complete_login(transaction, query)
    assert provider.count("userinfo") == 0


def test_middleware_login_accepts_the_correct_provider(
    app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    answer = browser_login(app, provider_http)
    assert answer.status_code == 302
    profile = app.get("/profile")
    assert profile.status_code == 200
    assert profile.json()["user"] == "alice"


@pytest.mark.parametrize("case", CASES)
def test_middleware_login_refuses_id_token(
    case: TokenCase, app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    provider.faults.id_token = case.forge
    answer = browser_login(app, provider_http)
    assert 400 <= answer.status_code < 500, answer.status_code
    assert provider.count("token") == 1
    assert provider.count("userinfo") == 0
    # No session was created: the protected page still sends the browser to log in.
    assert app.get("/profile").status_code == 302


def test_middleware_bearer_accepts_a_correct_token(
    app: httpx.Client, provider: HostileProvider
) -> None:
    answer = app.get("/api/me", headers={"Authorization": f"Bearer {provider.access_token()}"})
    assert answer.status_code == 200
    assert answer.json()["sub"] == provider.subject


@pytest.mark.parametrize("case", BEARER_CASES)
def test_middleware_bearer_refuses_token(
    case: TokenCase, app: httpx.Client, provider: HostileProvider
) -> None:
    token = case.forge(provider, provider.access_claims())
    answer = app.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (400, 401), answer.status_code
    assert "www-authenticate" in answer.headers
