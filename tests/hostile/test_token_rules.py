"""Audience, token_type, JWKS, signed userinfo and refusal logging against the hostile provider.

Each test makes the provider (or the token it signs) wrong in one way and checks the flow
clients, the validators or the framework integrations refuse it with the documented error.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from keycloak_sdk.extensions import AsyncClient, Client
from keycloak_sdk.extensions.errors import UnexpectedTokenTypeError
from keycloak_sdk.extensions.jose import JwksCache
from keycloak_sdk.extensions.jose.errors import (
    InvalidAudienceError,
    InvalidClaimError,
    InvalidIssuerError,
    InvalidNonceError,
    InvalidTokenTypeError,
    JwksUnavailableError,
    KeyNotFoundError,
    MissingClaimError,
    TokenExpiredError,
    TokenValidationError,
)
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.starlette import AuthenticationMiddleware
from keycloak_sdk.extensions.validation import LOGGER_NAME, AsyncTokenValidator, TokenValidator

from keycloak_sdk.errors import DiscoveryError
from tests.hostile.apps import FRAMEWORKS, example_client
from tests.hostile.helpers import REDIRECT_URI, redirect_query
from tests.hostile.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REALM,
    HostileProvider,
    b64url,
    new_rsa_key,
)

OTHER_CLIENT = "sdk-other"


def _settings(provider: HostileProvider, **options: object) -> ClientSettings:
    return ClientSettings.load(
        environ={},
        server_url=provider.base_url,
        realm=REALM,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        timeout=5,
        **options,  # type: ignore[arg-type]
    )


def _client(provider: HostileProvider, **options: object) -> Client:
    return Client(_settings(provider, **options))


def _async_client(provider: HostileProvider, **options: object) -> AsyncClient:
    return AsyncClient(_settings(provider, **options))


def _token(provider: HostileProvider, **changes: object) -> str:
    claims = {**provider.access_claims(), **changes}
    return provider.sign({k: v for k, v in claims.items() if v is not None})


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _validator(provider: HostileProvider, jwks: JwksCache, **options: object) -> TokenValidator:
    return TokenValidator(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        jwks=jwks,
        **options,  # type: ignore[arg-type]
    )


def _jwks(provider: HostileProvider, clock: ManualClock, **options: float) -> JwksCache:
    url = f"{provider.issuer}/protocol/openid-connect/certs"
    return JwksCache(lambda: httpx.get(url, timeout=5).content, clock=clock, **options)


# -- audience ----------------------------------------------------------------------------------

# (configuration, token changes, accepted?) for the flow client's validate_access_token.
AUDIENCE_CASES = [
    # A configured audience must be in aud; azp=this client never stands in for it...
    ("configured-in-aud", {"audience": "sdk-api"}, {}, True),
    ("configured-not-in-aud-azp-self", {"audience": "sdk-api"}, {"aud": ["other-api"]}, False),
    ("configured-no-aud-azp-self", {"audience": "sdk-api"}, {"aud": None}, False),
    # ...unless the named option says so.
    (
        "configured-azp-option",
        {"audience": "sdk-api", "accept_azp_as_audience": True},
        {"aud": ["other-api"]},
        True,
    ),
    (
        "configured-azp-option-other-azp",
        {"audience": "sdk-api", "accept_azp_as_audience": True},
        {"aud": ["other-api"], "azp": OTHER_CLIENT},
        False,
    ),
    # Without one: addressed to (aud) or issued for (azp) this client, and aud present.
    ("default-addressed-by-other", {}, {"aud": [CLIENT_ID], "azp": OTHER_CLIENT}, True),
    ("default-issued-for-self", {}, {"aud": ["account"]}, True),
    ("default-neither", {}, {"aud": ["other-api"], "azp": OTHER_CLIENT}, False),
    ("default-no-aud", {}, {"aud": None}, False),
    # verify_token_audience: this client must be in aud (keycloak.json's verify-token-audience).
    (
        "verify-token-audience-self-in-aud",
        {"verify_token_audience": True},
        {"aud": [CLIENT_ID]},
        True,
    ),
    (
        "verify-token-audience-azp-only",
        {"verify_token_audience": True},
        {"aud": ["account"]},
        False,
    ),
]


@pytest.mark.parametrize(
    ("configuration", "changes", "accepted"),
    [pytest.param(c, t, a, id=i) for i, c, t, a in AUDIENCE_CASES],
)
def test_flow_client_audience_rules(
    provider: HostileProvider,
    configuration: dict[str, object],
    changes: dict[str, object],
    accepted: bool,
) -> None:
    token = _token(provider, **changes)
    with _client(provider, **configuration) as client:
        if accepted:
            assert client.validate_access_token(token).sub == provider.subject
        else:
            with pytest.raises((InvalidAudienceError, MissingClaimError)) as refused:
                client.validate_access_token(token)
            assert refused.value.claim == "aud"


async def test_async_flow_client_audience_per_call(provider: HostileProvider) -> None:
    other_api = _token(provider, aud=["other-api"])
    async with _async_client(provider) as client:
        # Issued for this client, so the default rule accepts it...
        assert (await client.validate_access_token(other_api)).azp == CLIENT_ID
        # ...but an audience given per call must be in aud, whatever azp says.
        with pytest.raises(InvalidAudienceError):
            await client.validate_access_token(other_api, audience="sdk-api")
        ok = await client.validate_access_token(_token(provider), audience="sdk-api")
        assert "sdk-api" in ok.aud


def test_flow_client_audience_per_call_and_scopes(provider: HostileProvider) -> None:
    with _client(provider) as client:
        with pytest.raises(InvalidAudienceError):
            client.validate_access_token(_token(provider, aud=["other-api"]), audience="sdk-api")
        claims = client.validate_access_token(
            _token(provider), audience=["billing", "sdk-api"], required_scopes=["profile"]
        )
        assert claims.sub == provider.subject


def test_validator_without_audience_applies_the_default_rule(provider: HostileProvider) -> None:
    validator = _validator(provider, _jwks(provider, ManualClock()))
    assert validator.validate_access_token(_token(provider, azp=OTHER_CLIENT, aud=[CLIENT_ID]))
    with pytest.raises(InvalidAudienceError):
        validator.validate_access_token(_token(provider, azp=OTHER_CLIENT))


# -- token_type ------------------------------------------------------------------------------


@pytest.mark.parametrize("token_type", ["mac", "DPoP", "", "Bearer2"])
def test_token_response_with_another_token_type_is_refused(
    provider: HostileProvider, token_type: str
) -> None:
    provider.faults.token_type = token_type
    with _client(provider) as client, pytest.raises(UnexpectedTokenTypeError) as refused:
        client.password_grant("alice", "alice-password")
    assert refused.value.token_type == token_type


async def test_async_token_response_with_mac_token_type_is_refused(
    provider: HostileProvider,
) -> None:
    provider.faults.token_type = "mac"
    async with _async_client(provider) as client:
        with pytest.raises(UnexpectedTokenTypeError):
            await client.client_credentials()


@pytest.mark.parametrize("token_type", ["Bearer", "bearer", "BEARER"])
def test_bearer_token_type_is_case_insensitive(provider: HostileProvider, token_type: str) -> None:
    provider.faults.token_type = token_type
    with _client(provider) as client:
        assert client.client_credentials().token_type == token_type


# -- JWKS ------------------------------------------------------------------------------------


def _enc_only(provider: HostileProvider) -> list[dict[str, str]]:
    jwk = public_key_to_jwk(new_rsa_key().public_key(), kid="enc-1", alg="RSA-OAEP")
    jwk["use"] = "enc"
    return [jwk]


def test_jwks_without_a_usable_key_keeps_the_good_keys(provider: HostileProvider) -> None:
    clock = ManualClock()
    validator = _validator(provider, _jwks(provider, clock, refetch_cooldown=5))
    good = _token(provider)
    assert validator.validate_access_token(good)
    # The provider now serves only an encryption key, and a token with a new kid arrives.
    provider.jwks_keys = _enc_only(provider)
    clock.now += 6
    with pytest.raises(KeyNotFoundError):
        validator.validate_access_token(provider.sign(provider.access_claims(), kid="unknown"))
    assert provider.count("jwks") == 2
    # The refused document did not replace the good keys.
    assert validator.validate_access_token(good)
    # Within the (configured) cooldown no refetch; after it, one retry that finds the key.
    provider.reset()
    with pytest.raises(KeyNotFoundError):
        validator.validate_access_token(provider.sign(provider.access_claims(), kid="unknown"))
    assert provider.count("jwks") == 0
    clock.now += 6
    new_kid = provider.rotate()
    assert validator.validate_access_token(_token(provider))
    assert provider.count("jwks") == 1
    assert new_kid


def test_jwks_without_usable_key_on_first_fetch_is_unavailable(provider: HostileProvider) -> None:
    provider.jwks_keys = _enc_only(provider)
    validator = _validator(provider, _jwks(provider, ManualClock()))
    with pytest.raises(JwksUnavailableError, match="no usable signing key"):
        validator.validate_access_token(_token(provider))


def test_stale_keys_have_a_maximum_age(provider: HostileProvider) -> None:
    clock = ManualClock()
    jwks = JwksCache(
        lambda: _flaky_fetch(provider), clock=clock, default_ttl=60, min_ttl=60, max_stale=120
    )
    validator = _validator(provider, jwks)
    token = _token(provider)
    assert validator.validate_access_token(token)
    _FLAKY["down"] = True
    try:
        clock.now += 61 + 100  # expired, within max_stale: stale keys still verify
        assert validator.validate_access_token(token)
        clock.now += 30  # 130 s past expiry, and every refetch failed: keys are dropped
        with pytest.raises(JwksUnavailableError):
            validator.validate_access_token(token)
    finally:
        _FLAKY["down"] = False
    clock.now += 31
    assert validator.validate_access_token(token)  # the provider is back


_FLAKY = {"down": False}


def _flaky_fetch(provider: HostileProvider) -> bytes:
    if _FLAKY["down"]:
        raise ConnectionError("provider down")
    url = f"{provider.issuer}/protocol/openid-connect/certs"
    return httpx.get(url, timeout=5).content


def test_jwks_cooldown_is_configurable_on_the_flow_client(provider: HostileProvider) -> None:
    with _client(provider, jwks_refetch_cooldown=0) as client:
        assert client.validate_access_token(_token(provider))
        for _ in range(3):
            with pytest.raises(KeyNotFoundError):
                client.validate_access_token(provider.sign(provider.access_claims(), kid="nope"))
        # A cooldown of 0 refetches for every unknown kid (the default of 30 s would not).
        assert provider.count("jwks") == 1 + 3


# -- signed userinfo ---------------------------------------------------------------------------


def _userinfo_claims(provider: HostileProvider) -> dict[str, object]:
    return {
        "sub": provider.subject,
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "exp": int(time.time()) + 60,
        "preferred_username": "alice",
    }


SIGNED_USERINFO_CASES = [
    ("missing-iss", {"iss": None}, MissingClaimError),
    ("wrong-iss", {"iss": "https://evil.example/realms/sdk-test"}, InvalidIssuerError),
    ("missing-aud", {"aud": None}, MissingClaimError),
    ("wrong-aud", {"aud": "someone-else"}, InvalidAudienceError),
    ("expired", {"exp": 1_000_000_000}, TokenExpiredError),
    ("exp-not-a-number", {"exp": "tomorrow"}, InvalidClaimError),
]


@pytest.mark.parametrize(
    ("changes", "error"),
    [pytest.param(c, e, id=i) for i, c, e in SIGNED_USERINFO_CASES],
)
def test_signed_userinfo_is_refused(
    provider: HostileProvider, changes: dict[str, object], error: type[Exception]
) -> None:
    claims = {**_userinfo_claims(provider), **changes}
    provider.faults.signed_userinfo = {k: v for k, v in claims.items() if v is not None}
    with _client(provider) as client, pytest.raises(error):
        client.fetch_userinfo(_token(provider))


async def test_signed_userinfo_valid_is_accepted(provider: HostileProvider) -> None:
    provider.faults.signed_userinfo = _userinfo_claims(provider)
    with _client(provider) as client:
        assert client.fetch_userinfo(_token(provider)).sub == provider.subject
    provider.faults.signed_userinfo = {**_userinfo_claims(provider), "exp": 1_000_000_000}
    async with _async_client(provider) as client:
        with pytest.raises(TokenExpiredError):
            await client.fetch_userinfo(_token(provider))


# -- logout token typ header -------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["logout+jwt", "application/logout+jwt", "Logout+JWT", None])
def test_logout_token_typ_header_accepted(provider: HostileProvider, typ: str | None) -> None:
    validator = _validator(provider, _jwks(provider, ManualClock()))
    claims = provider.logout_claims()
    if typ is None:  # sign_jwt always writes a typ; build the header without one
        token = _without_typ(provider, claims)
    else:
        token = provider.sign(claims, headers={"typ": typ})
    assert validator.validate_logout_token(token).sid == "session-1"


def _without_typ(provider: HostileProvider, claims: dict[str, object]) -> str:
    header = b64url(json.dumps({"alg": "RS256", "kid": provider.kid}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = provider.signing_key.sign(
        f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{header}.{payload}.{b64url(signature)}"


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", "logout", 7])
def test_logout_token_with_another_typ_header_is_refused(
    provider: HostileProvider, typ: object
) -> None:
    validator = _validator(provider, _jwks(provider, ManualClock()))
    token = provider.sign(provider.logout_claims(), headers={"typ": typ})
    with pytest.raises(InvalidTokenTypeError):
        validator.validate_logout_token(token)


# -- a refusal says why ------------------------------------------------------------------------


def test_refused_token_is_logged_with_the_check_and_claims(
    provider: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    token = _token(provider, aud=["other-api"], azp=OTHER_CLIENT)
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    with _client(provider) as client, pytest.raises(InvalidAudienceError):
        client.validate_access_token(token)
    records = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    message = records[0].getMessage()
    assert "check aud" in message and "InvalidAudienceError" in message
    assert message.endswith("signature verified: yes")
    for expected in (provider.issuer, "other-api", OTHER_CLIENT, "exp=", provider.kid):
        assert expected in message, (expected, message)
    assert token not in message and token.split(".")[2] not in message


@pytest.mark.parametrize("kind", ["id", "logout", "forged-signature"])
def test_every_refusal_is_logged(
    provider: HostileProvider, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    validator = _validator(provider, _jwks(provider, ManualClock()))
    with pytest.raises(TokenValidationError):
        if kind == "id":
            validator.validate_id_token(_token(provider), nonce=None)
        elif kind == "logout":
            validator.validate_logout_token(provider.sign({**provider.logout_claims(), "aud": "x"}))
        else:
            validator.validate_access_token(
                provider.sign(provider.access_claims(), key=new_rsa_key())
            )
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    assert len(messages) == 1
    assert "refused by check" in messages[0] and "iss=" in messages[0]
    verified = "no" if kind == "forged-signature" else "yes"
    assert messages[0].endswith(f"signature verified: {verified}")


@pytest.fixture
def other_api_token(provider: HostileProvider) -> Iterator[str]:
    yield _token(provider, aud=["other-api"], azp=OTHER_CLIENT)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_middleware_401_says_why(
    framework: str, provider: HostileProvider, other_api_token: str
) -> None:
    with example_client(framework, provider.base_url) as app:
        answer = app.get("/api/me", headers={"Authorization": f"Bearer {other_api_token}"})
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge
    assert "neither addressed to nor issued for this client" in challenge, challenge
    assert other_api_token.split(".")[1] not in challenge


# -- TokenValidator.from_issuer ----------------------------------------------------------------


def test_validator_from_issuer_discovers_and_fetches_keys(provider: HostileProvider) -> None:
    with TokenValidator.from_issuer(
        provider.issuer, client_id=CLIENT_ID, audience="sdk-api", timeout=5
    ) as validator:
        assert provider.count("discovery") == 1 and provider.count("jwks") == 0
        assert validator.validate_access_token(_token(provider)).sub == provider.subject
        assert validator.validate_access_token(_token(provider)).sub == provider.subject
        assert provider.count("jwks") == 1
        with pytest.raises(InvalidAudienceError):
            validator.validate_access_token(_token(provider, aud=["other-api"]))


async def test_async_validator_from_issuer(provider: HostileProvider) -> None:
    validator = await AsyncTokenValidator.from_issuer(
        provider.issuer, client_id=CLIENT_ID, refetch_cooldown=0, timeout=5
    )
    async with validator:
        claims = await validator.validate_access_token(_token(provider, aud=[CLIENT_ID]))
        assert claims.sub == provider.subject
        assert await validator.validate_logout_token(provider.sign(provider.logout_claims()))


def test_validator_from_issuer_refuses_discovery_naming_another_issuer(
    provider: HostileProvider,
) -> None:
    provider.faults.discovery_issuer = "https://evil.example/realms/sdk-test"
    with pytest.raises(DiscoveryError):
        TokenValidator.from_issuer(provider.issuer, client_id=CLIENT_ID, timeout=5)


# -- KEYCLOAK_AUDIENCE in the ASGI integrations ------------------------------------------------


def _starlette_api(provider: HostileProvider) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def me(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[Route("/api/me", me)],
        middleware=[Middleware(AuthenticationMiddleware, KEYCLOAK_API_PATHS=["/api/*"])],
    )


@pytest.mark.parametrize(
    ("audience", "changes", "status"),
    [
        (None, {"aud": ["sdk-api"], "azp": OTHER_CLIENT}, 200),
        ("sdk-api", {"aud": ["sdk-api"], "azp": OTHER_CLIENT}, 200),
        ("billing", {"aud": ["sdk-api"], "azp": OTHER_CLIENT}, 401),
        ("billing", {"aud": ["billing"], "azp": "sdk-api"}, 200),
        ("billing", {"aud": ["account"], "azp": "sdk-api"}, 401),
    ],
)
def test_starlette_honours_keycloak_audience_from_the_environment(
    provider: HostileProvider,
    monkeypatch: pytest.MonkeyPatch,
    audience: str | None,
    changes: dict[str, object],
    status: int,
) -> None:
    from starlette.testclient import TestClient

    for name, value in {
        "KEYCLOAK_SERVER_URL": provider.base_url,
        "KEYCLOAK_REALM": REALM,
        "KEYCLOAK_CLIENT_ID": "sdk-api",
        "KEYCLOAK_CLIENT_SECRET": "sdk-api-secret",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KEYCLOAK_AUDIENCE", raising=False)
    if audience is not None:
        monkeypatch.setenv("KEYCLOAK_AUDIENCE", audience)
    token = _token(provider, **changes)
    with TestClient(_starlette_api(provider)) as client:
        answer = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == status, answer.headers.get("www-authenticate")


# -- refreshed ID tokens and their nonce (OIDC Core 12.2; Keycloak 24 repeats it) --------------


def _login(client: Client, provider_http: httpx.Client) -> Any:
    transaction = client.begin_login()
    return client.complete_login(
        transaction, redirect_query(provider_http, transaction.authorization_url)
    )


def test_refreshed_id_token_may_repeat_the_original_nonce(
    provider: HostileProvider, provider_http: httpx.Client
) -> None:
    with _client(provider) as client:
        result = _login(client, provider_http)
        original = result.id_token_claims.nonce
        assert original
        provider.faults.refresh_id_token = lambda p, claims: p.sign({**claims, "nonce": original})
        assert client.refresh(result.tokens).id_token_claims is not None
        # Refreshing from the bare refresh token: the original is unknown, any nonce passes.
        assert client.refresh(result.tokens.refresh_token).id_token is not None


def test_refreshed_id_token_with_another_nonce_is_refused(
    provider: HostileProvider, provider_http: httpx.Client
) -> None:
    with _client(provider) as client:
        result = _login(client, provider_http)
        provider.faults.refresh_id_token = lambda p, claims: p.sign({**claims, "nonce": "other"})
        with pytest.raises(InvalidNonceError):
            client.refresh(result.tokens)
