"""Token validation against a real Keycloak: its own tokens and a live realm key rotation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.jose.b64 import b64url_decode
from keycloak_sdk.extensions.jose.errors import InvalidAudienceError, InvalidTokenTypeError
from keycloak_sdk.extensions.jose.jwks import AsyncJwksCache, JwksCache, JwksResponse
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator

from tests.helpers.keycloak import RunningKeycloak

CLIENT_ID = "sdk-confidential"
CLIENT_SECRET = "sdk-confidential-secret"
TIMEOUT = httpx.Timeout(10.0)


class CountingJwks:
    """The realm's JWKS endpoint over plain httpx, counting how often it is asked."""

    def __init__(self, keycloak: RunningKeycloak) -> None:
        self.url = f"{keycloak.issuer}/protocol/openid-connect/certs"
        self.calls = 0

    def __call__(self) -> JwksResponse:
        self.calls += 1
        response = httpx.get(self.url, timeout=TIMEOUT)
        response.raise_for_status()
        return JwksResponse(response.content, response.headers.get("cache-control"))

    async def fetch_async(self) -> JwksResponse:
        self.calls += 1
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            response = await http.get(self.url)
        response.raise_for_status()
        return JwksResponse(response.content, response.headers.get("cache-control"))


class ShiftedClock:
    """time.monotonic() plus an offset the test can advance past the refetch cooldown."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def _token_response(keycloak: RunningKeycloak, **form: str) -> dict[str, str]:
    response = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/token",
        data=form,
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def _client_credentials_token(keycloak: RunningKeycloak) -> str:
    return _token_response(keycloak, grant_type="client_credentials")["access_token"]


def _kid(token: str) -> str:
    kid: str = json.loads(b64url_decode(token.split(".")[0]))["kid"]
    return kid


def _validator(keycloak: RunningKeycloak, jwks: JwksCache) -> TokenValidator:
    return TokenValidator(
        issuer=keycloak.issuer, client_id=CLIENT_ID, jwks=jwks, audience="sdk-api"
    )


def test_real_access_token_validates(keycloak: RunningKeycloak) -> None:
    fetch = CountingJwks(keycloak)
    checker = _validator(keycloak, JwksCache(fetch))
    claims = checker.validate_access_token(_client_credentials_token(keycloak))
    assert claims.azp == CLIENT_ID
    assert "sdk-api" in claims.aud
    assert claims.typ == "Bearer"
    assert claims.sub
    # Keycloak's default audience story: the same token is also accepted as "our own".
    own = TokenValidator(
        issuer=keycloak.issuer,
        client_id=CLIENT_ID,
        jwks=JwksCache(fetch),
        accept_azp_as_audience=True,
    )
    assert own.validate_access_token(_client_credentials_token(keycloak)).azp == CLIENT_ID


def test_real_id_token_with_at_hash(keycloak: RunningKeycloak) -> None:
    tokens = _token_response(
        keycloak,
        grant_type="password",
        username="alice",
        password="alice-password",
        scope="openid email profile",
    )
    checker = _validator(keycloak, JwksCache(CountingJwks(keycloak)))
    claims = checker.validate_id_token(
        tokens["id_token"], nonce=None, access_token=tokens["access_token"]
    )
    assert claims.preferred_username == "alice"
    assert claims.email == "alice@example.com"
    access = checker.validate_access_token(tokens["access_token"])
    assert access.has_realm_role("user")
    assert access.has_client_role(CLIENT_ID, "reader")
    with pytest.raises(InvalidTokenTypeError):
        checker.validate_access_token(tokens["id_token"], audience=CLIENT_ID)


async def test_real_access_token_validates_async(keycloak: RunningKeycloak) -> None:
    fetch = CountingJwks(keycloak)
    checker = AsyncTokenValidator(
        issuer=keycloak.issuer,
        client_id=CLIENT_ID,
        jwks=AsyncJwksCache(fetch.fetch_async),
        audience="sdk-api",
    )
    token = _client_credentials_token(keycloak)
    assert (await checker.validate_access_token(token)).azp == CLIENT_ID
    assert fetch.calls == 1


def _admin(keycloak: RunningKeycloak) -> httpx.Client:
    response = httpx.post(
        f"{keycloak.base_url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": keycloak.admin_user,
            "password": keycloak.admin_password,
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return httpx.Client(
        base_url=f"{keycloak.base_url}/admin/realms/{keycloak.realm}",
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
        timeout=TIMEOUT,
    )


@dataclass
class AdminSession:
    http: httpx.Client
    created_components: list[str] = field(default_factory=list)


@pytest.fixture
def admin(keycloak: RunningKeycloak) -> Iterator[AdminSession]:
    """An admin REST session; key providers the test creates are removed afterwards."""
    with _admin(keycloak) as http:
        session = AdminSession(http)
        try:
            yield session
        finally:
            for component_id in session.created_components:
                http.delete(f"/components/{component_id}")


def test_realm_key_rotation(keycloak: RunningKeycloak, admin: AdminSession) -> None:
    fetch, clock = CountingJwks(keycloak), ShiftedClock()
    checker = _validator(keycloak, JwksCache(fetch, clock=clock))
    old_token = _client_credentials_token(keycloak)
    checker.validate_access_token(old_token)
    assert fetch.calls == 1

    realm_id = admin.http.get("").json()["id"]
    response = admin.http.post(
        "/components",
        json={
            "name": "sdk-rotation-test",
            "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm_id,
            "config": {
                "priority": ["1000000"],
                "enabled": ["true"],
                "active": ["true"],
                "keySize": ["2048"],
                "algorithm": ["RS256"],
            },
        },
    )
    assert response.status_code == 201, response.text
    admin.created_components.append(response.headers["location"].rsplit("/", 1)[1])

    new_token = _client_credentials_token(keycloak)
    assert _kid(new_token) != _kid(old_token), "Keycloak did not sign with the new key"

    # The old token still validates from the cached keys: no fetch.
    checker.validate_access_token(old_token)
    assert fetch.calls == 1
    # The new kid is unknown: once past the cooldown, exactly one refetch finds it.
    clock.offset += 31
    assert checker.validate_access_token(new_token).azp == CLIENT_ID
    assert fetch.calls == 2
    checker.validate_access_token(new_token)
    checker.validate_access_token(old_token)
    assert fetch.calls == 2


def test_validator_from_issuer_on_the_real_realm(keycloak: RunningKeycloak) -> None:
    token = _client_credentials_token(keycloak)
    with TokenValidator.from_issuer(keycloak.issuer, client_id="sdk-api") as api:
        # Addressed to sdk-api by sdk-confidential's Audience mapper: the default rule.
        claims = api.validate_access_token(token)
        assert claims.azp == CLIENT_ID and "sdk-api" in claims.aud
        with pytest.raises(InvalidAudienceError):
            api.validate_access_token(token, audience="another-api")
    # The token's own client, strict: it is not in its own token's aud, and azp does not count.
    with (
        TokenValidator.from_issuer(keycloak.issuer, client_id=CLIENT_ID, audience=CLIENT_ID) as own,
        pytest.raises(InvalidAudienceError),
    ):
        own.validate_access_token(token)


async def test_async_validator_from_issuer_on_the_real_realm(keycloak: RunningKeycloak) -> None:
    token = _client_credentials_token(keycloak)
    async with AsyncTokenValidator.from_issuer(
        keycloak.issuer, client_id="sdk-api", audience="sdk-api"
    ) as api:
        assert (await api.validate_access_token(token)).azp == CLIENT_ID


def test_flow_client_audience_settings_on_real_tokens(keycloak: RunningKeycloak) -> None:
    token = _client_credentials_token(keycloak)
    common = {"server_url": keycloak.base_url, "realm": "sdk-test"}
    api = Client(ClientSettings.load(environ={}, client_id="sdk-api", **common))
    strict = Client(
        ClientSettings.load(
            environ={},
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            verify_token_audience=True,
            **common,
        )
    )
    with api, strict:
        assert api.validate_access_token(token).azp == CLIENT_ID
        with pytest.raises(InvalidAudienceError):
            strict.validate_access_token(token)
        assert strict.validate_access_token(token, audience="sdk-api").azp == CLIENT_ID


def test_signed_userinfo_from_the_real_realm(keycloak: RunningKeycloak) -> None:
    # sdk-signed-userinfo answers userinfo as an RS256 JWT: iss and aud are required and
    # checked, the signature verified with the realm's keys.
    with Client(
        issuer=keycloak.issuer,
        client_id="sdk-signed-userinfo",
        client_secret="sdk-signed-userinfo-secret",
    ) as kc:
        tokens = kc.password_grant("alice", "alice-password")
        assert tokens.id_token_claims is not None
        info = kc.fetch_userinfo(tokens)
        assert info.sub == tokens.id_token_claims.sub
        assert info["aud"] in ("sdk-signed-userinfo", ["sdk-signed-userinfo"])
        assert info["iss"] == keycloak.issuer
