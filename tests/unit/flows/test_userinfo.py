"""UserInfo: plain JSON and signed `application/jwt` responses, and the `sub` check."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from keycloak_sdk.extensions.claims import IdTokenClaims
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.errors import TokenMismatchError
from keycloak_sdk.extensions.jose.errors import InvalidAudienceError, TokenValidationError
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk
from keycloak_sdk.extensions.jose.sign import sign_jwt

from tests.unit.flows.mock_server import DISCOVERY, ISSUER

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWKS = {"keys": [public_key_to_jwk(KEY.public_key(), kid="k1", alg="RS256")]}
CLAIMS: dict[str, object] = {"iss": ISSUER, "aud": "app", "sub": "user-1", "email": "u@example.com"}


def _server(body: str | dict[str, object]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("openid-configuration"):
            return httpx.Response(200, json=DISCOVERY)
        if path.endswith("/certs"):
            return httpx.Response(200, json=JWKS)
        if path.endswith("/userinfo"):
            assert request.headers["authorization"] == "Bearer at"
            if isinstance(body, str):
                return httpx.Response(200, text=body, headers={"content-type": "application/jwt"})
            return httpx.Response(200, json=body)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def _client(body: str | dict[str, object]) -> Client:
    return Client(issuer=ISSUER, client_id="app", http_client=httpx.Client(transport=_server(body)))


def test_json_userinfo_and_sub_check() -> None:
    userinfo = _client(CLAIMS).fetch_userinfo("at")
    assert userinfo.sub == "user-1" and userinfo.email == "u@example.com"
    other = IdTokenClaims({**CLAIMS, "sub": "someone-else"})
    with pytest.raises(TokenMismatchError):
        _client(CLAIMS).fetch_userinfo("at", id_token_claims=other)


def test_signed_userinfo_is_verified() -> None:
    signed = sign_jwt(CLAIMS, KEY, alg="RS256", kid="k1")
    assert _client(signed).fetch_userinfo("at").email == "u@example.com"
    forged = sign_jwt(CLAIMS, OTHER_KEY, alg="RS256", kid="k1")
    with pytest.raises(TokenValidationError):
        _client(forged).fetch_userinfo("at")
    misaddressed = sign_jwt({**CLAIMS, "aud": "another-app"}, KEY, alg="RS256", kid="k1")
    with pytest.raises(InvalidAudienceError):
        _client(misaddressed).fetch_userinfo("at")


async def test_async_signed_userinfo() -> None:
    signed = sign_jwt(CLAIMS, KEY, alg="RS256", kid="k1")
    http = httpx.AsyncClient(transport=_server(signed))
    async with AsyncClient(issuer=ISSUER, client_id="app", http_client=http) as client:
        assert (await client.fetch_userinfo("at")).sub == "user-1"
