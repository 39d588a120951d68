"""Authorization responses (the redirect back to the app) that must not complete a login."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.errors import (
    AuthorizationError,
    IssuerMismatchError,
    StateMismatchError,
)

from keycloak_sdk.errors import OAuthError
from tests.hostile.helpers import async_flow_client, redirect_query
from tests.hostile.provider import HostileProvider


def _start(app: httpx.Client, provider_http: httpx.Client) -> dict[str, str]:
    """Begin a login in the app; the provider answers; return the redirect's parameters."""
    start = app.get("/profile")
    assert start.status_code == 302
    return redirect_query(provider_http, start.headers["location"])


def _callback(app: httpx.Client, params: list[tuple[str, str]]) -> httpx.Response:
    return app.get(f"/kc/callback?{urlencode(params)}")


# -- RFC 9207 `iss` --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iss", ["", "https://evil.example/realms/sdk-test"], ids=["missing", "wrong"]
)
def test_flow_client_refuses_redirect_iss(
    iss: str, provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    provider.faults.redirect_iss = iss
    transaction = client.begin_login()
    with pytest.raises(IssuerMismatchError):
        client.complete_login(
            transaction, redirect_query(provider_http, transaction.authorization_url)
        )
    assert provider.count("token") == 0


@pytest.mark.parametrize(
    "iss", ["", "https://evil.example/realms/sdk-test"], ids=["missing", "wrong"]
)
async def test_async_flow_client_refuses_redirect_iss(
    iss: str, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    provider.faults.redirect_iss = iss
    async with async_flow_client(provider) as client:
        transaction = await client.begin_login()
        with pytest.raises(IssuerMismatchError):
            await client.complete_login(
                transaction, redirect_query(provider_http, transaction.authorization_url)
            )
    assert provider.count("token") == 0


def test_missing_iss_is_accepted_when_not_advertised(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    provider.faults.iss_parameter_supported = False
    provider.faults.redirect_iss = ""
    transaction = client.begin_login()
    result = client.complete_login(
        transaction, redirect_query(provider_http, transaction.authorization_url)
    )
    assert result.subject == provider.subject


@pytest.mark.parametrize(
    "iss", ["", "https://evil.example/realms/sdk-test"], ids=["missing", "wrong"]
)
def test_middleware_refuses_redirect_iss(
    iss: str, app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    provider.faults.redirect_iss = iss
    params = _start(app, provider_http)
    answer = _callback(app, list(params.items()))
    assert answer.status_code == 400
    assert provider.count("token") == 0
    assert app.get("/profile").status_code == 302


# -- duplicated parameters, code + error ---------------------------------------------------


@pytest.mark.parametrize("name", ["state", "code", "iss", "error"])
def test_middleware_refuses_duplicated_parameter(
    name: str, app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    params = _start(app, provider_http)
    doubled = [*params.items(), (name, params.get(name, "access_denied"))]
    if name == "error":
        doubled.append(("error", "access_denied"))
    answer = _callback(app, doubled)
    assert answer.status_code == 400
    assert provider.count("token") == 0


def test_flow_client_refuses_code_with_error(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    transaction = client.begin_login()
    query = redirect_query(provider_http, transaction.authorization_url)
    with pytest.raises(AuthorizationError) as refused:
        client.complete_login(transaction, {**query, "error": "access_denied"})
    assert refused.value.error == "access_denied"
    assert provider.count("token") == 0


def test_middleware_refuses_code_with_error(
    app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    params = _start(app, provider_http)
    answer = _callback(app, [*params.items(), ("error", "access_denied")])
    assert answer.status_code == 400
    assert provider.count("token") == 0
    assert app.get("/profile").status_code == 302


# -- state -----------------------------------------------------------------------------------


def test_flow_client_refuses_foreign_state(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    mine = client.begin_login()
    theirs = client.begin_login()
    query = redirect_query(provider_http, theirs.authorization_url)
    with pytest.raises(StateMismatchError):
        client.complete_login(mine, query)
    assert provider.count("token") == 0


def test_flow_client_reused_redirect_is_refused(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    transaction = client.begin_login()
    query = redirect_query(provider_http, transaction.authorization_url)
    client.complete_login(transaction, query)
    # The code is single-use at the provider: replaying the redirect gets a typed OAuth error.
    with pytest.raises(OAuthError):
        client.complete_login(transaction, query)


def test_flow_client_legacy_callback_state_is_single_use(
    provider: HostileProvider, client: Client, provider_http: httpx.Client
) -> None:
    from keycloak_sdk.extensions.errors import KeycloakError

    url, _state = client.login()
    code = redirect_query(provider_http, url)["code"]
    client.callback(code)
    with pytest.raises(KeycloakError):  # the code is spent at the provider
        client.callback(code)


def test_middleware_refuses_reused_state(
    app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    params = _start(app, provider_http)
    assert _callback(app, list(params.items())).status_code == 302
    cookies = dict(app.cookies)
    app.cookies.clear()
    # Replay with the new session cookie and with none: both refused, no second code exchange.
    for jar in (cookies, {}):
        app.cookies.clear()
        app.cookies.update(jar)
        assert _callback(app, list(params.items())).status_code == 400
    assert provider.count("token") == 1


def test_middleware_refuses_foreign_state(
    framework_app: tuple[str, httpx.Client], provider: HostileProvider, provider_http: httpx.Client
) -> None:
    app = framework_app[1]
    app.cookies.clear()
    victim_params = _start(app, provider_http)  # the victim's own pending login
    victim = dict(app.cookies)
    app.cookies.clear()
    attacker = _start(app, provider_http)  # another browser's login
    # The attacker's code and state arrive in the victim's browser (login CSRF).
    app.cookies.clear()
    app.cookies.update(victim)
    answer = _callback(app, list(attacker.items()))
    assert answer.status_code == 400
    assert victim_params["state"] != attacker["state"]
    assert provider.count("token") == 0
