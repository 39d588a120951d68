"""Secrets stay out of reprs, str and errors; JWT client assertions have the right shape."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.client_auth_jwt import ASSERTION_TYPE, ClientSecretJwt
from keycloak_sdk.extensions.errors import InvalidGrantError
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.tokens import CibaAuthentication, DeviceAuthorization, TokenSet

from tests.unit.flows.mock_server import ISSUER, FakeKeycloak, oauth_error

SECRET = "s3cr3t-value-never-printed"


def test_reprs_hide_tokens_and_secrets() -> None:
    tokens = TokenSet.from_dict(
        {
            "access_token": "AT-" + SECRET,
            "token_type": "Bearer",
            "refresh_token": "RT-" + SECRET,
            "id_token": "IT-" + SECRET,
            "expires_in": 60,
            "custom_extra": "X-" + SECRET,
        }
    )
    device = DeviceAuthorization.from_dict(
        {"device_code": SECRET, "user_code": "AB", "verification_uri": "u", "expires_in": 5}
    )
    device.code_verifier = "V-" + SECRET
    ciba = CibaAuthentication.from_dict({"auth_req_id": SECRET, "expires_in": 5})
    settings = ClientSettings.load(
        server_url="https://id.example.com", realm="r", client_id="a", client_secret=SECRET
    )
    client = Client(settings)
    for value in (tokens, device, ciba, settings, client, client._driver.auth):
        assert SECRET not in repr(value)
        assert SECRET not in str(value)
    assert tokens["access_token"] == "AT-" + SECRET
    assert tokens["custom_extra"] == "X-" + SECRET


def test_oauth_errors_carry_code_status_and_no_secret() -> None:
    server = FakeKeycloak(lambda form: oauth_error("invalid_grant"))
    client = Client(
        issuer=ISSUER, client_id="a", client_secret=SECRET, http_client=server.sync_http()
    )
    with pytest.raises(InvalidGrantError) as caught:
        client.refresh("RT-" + SECRET)
    assert caught.value.error == "invalid_grant"
    assert caught.value.status_code == 400
    assert SECRET not in str(caught.value)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_client_secret_jwt_assertion() -> None:
    auth = ClientSecretJwt("app", SECRET, audience=ISSUER, clock=lambda: 1_700_000_000)
    forms: list[dict[str, str | list[str]]] = []
    for _ in range(2):
        form: dict[str, str | list[str]] = {}
        auth.apply(f"{ISSUER}/protocol/openid-connect/token", form, {})
        forms.append(form)
    assertion = str(forms[0]["client_assertion"])
    assert forms[0]["client_assertion_type"] == ASSERTION_TYPE
    header, payload, signature = assertion.split(".")
    expected = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(_b64decode(signature), expected)
    claims = json.loads(_b64decode(payload))
    assert claims["iss"] == claims["sub"] == "app"
    assert claims["aud"] == ISSUER
    assert 0 < claims["exp"] - claims["iat"] <= 60
    other = json.loads(_b64decode(str(forms[1]["client_assertion"]).split(".")[1]))
    assert other["jti"] != claims["jti"]
    assert SECRET not in repr(auth)


def test_basic_auth_is_the_default_and_public_clients_only_name_themselves() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return FakeKeycloak(lambda form: oauth_error("invalid_grant")).handler(request)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    confidential = Client(issuer=ISSUER, client_id="a", client_secret="b", http_client=http)
    with pytest.raises(InvalidGrantError):
        confidential.refresh("r")
    assert seen[-1].headers["authorization"] == "Basic " + base64.b64encode(b"a:b").decode()
    public = Client(issuer=ISSUER, client_id="spa", http_client=http)
    with pytest.raises(InvalidGrantError):
        public.refresh("r")
    assert "authorization" not in seen[-1].headers
    assert "client_id=spa" in seen[-1].content.decode()


async def test_async_client_has_the_same_public_methods() -> None:
    sync_api = {n for n in dir(Client) if not n.startswith("_")} - {"close"}
    async_api = {n for n in dir(AsyncClient) if not n.startswith("_")} - {"aclose"}
    assert sync_api == async_api
