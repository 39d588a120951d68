"""Back-channel logout tokens: the validator and every app's logout endpoint refuse bad ones."""

from __future__ import annotations

import httpx
import pytest
from keycloak_sdk.extensions.jose import JwksCache
from keycloak_sdk.extensions.jose.errors import TokenReplayedError
from keycloak_sdk.extensions.validation import TokenValidator

from tests.hostile.apps import browser_login
from tests.hostile.cases import LOGOUT_TOKEN_CASES, TokenCase
from tests.hostile.provider import CLIENT_ID, HostileProvider

CASES = [pytest.param(case, id=case.id) for case in LOGOUT_TOKEN_CASES]
LOGOUT_PATH = "/kc/backchannel-logout"


def _validator(provider: HostileProvider) -> TokenValidator:
    jwks_url = f"{provider.issuer}/protocol/openid-connect/certs"
    return TokenValidator(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        jwks=JwksCache(lambda: httpx.get(jwks_url, timeout=5).content),
    )


@pytest.mark.parametrize("case", CASES)
def test_validator_refuses_logout_token(case: TokenCase, provider: HostileProvider) -> None:
    validator = _validator(provider)
    with pytest.raises(case.error):
        validator.validate_logout_token(case.forge(provider, provider.logout_claims()))


def test_validator_refuses_replayed_logout_token(provider: HostileProvider) -> None:
    validator = _validator(provider)
    token = provider.sign(provider.logout_claims())
    assert validator.validate_logout_token(token).sid == "session-1"
    with pytest.raises(TokenReplayedError):
        validator.validate_logout_token(token)


@pytest.mark.parametrize("case", CASES)
def test_middleware_refuses_logout_token(
    case: TokenCase, app: httpx.Client, provider: HostileProvider
) -> None:
    token = case.forge(provider, provider.logout_claims())
    answer = app.post(LOGOUT_PATH, data={"logout_token": token})
    assert answer.status_code == 400, answer.status_code


def test_middleware_logout_ends_the_session_once(
    app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    assert browser_login(app, provider_http).status_code == 302
    assert app.get("/profile").status_code == 200
    token = provider.sign(provider.logout_claims())
    assert app.post(LOGOUT_PATH, data={"logout_token": token}).status_code == 200
    assert app.get("/profile").status_code == 302
    # The same jti again (a replay) is refused.
    assert app.post(LOGOUT_PATH, data={"logout_token": token}).status_code == 400


@pytest.mark.parametrize(
    "body",
    [b"", b"logout_token=a&logout_token=b", b"logout_token=\xff", b"x" * 70_000],
    ids=["empty", "duplicated", "not-ascii", "oversize"],
)
def test_middleware_refuses_malformed_logout_request(app: httpx.Client, body: bytes) -> None:
    answer = app.post(
        LOGOUT_PATH, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code in (400, 413), answer.status_code
