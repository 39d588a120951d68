"""DPoP (RFC 9449) at the integrations used without the middleware: FastAPI's
`Security(kc.identity)` dependency and DRF's `KeycloakAuthentication` check the proof and the
token's binding exactly as the middleware does (tests/hostile/test_dpop.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Security
from keycloak_sdk.extensions.dpop import DPoPKey
from keycloak_sdk.extensions.fastapi import KeycloakFastAPI
from keycloak_sdk.extensions.web.identity import Identity

from examples import example_settings
from tests.hostile.apps import PUBLIC_URL, build_app
from tests.hostile.provider import HostileProvider

URL = f"{PUBLIC_URL}/api/me"


@pytest.fixture
def key() -> DPoPKey:
    return DPoPKey()


def _bound_token(provider: HostileProvider, key: DPoPKey) -> str:
    return provider.sign({**provider.access_claims(), "typ": "DPoP", "cnf": {"jkt": key.jkt}})


@pytest.fixture
def fastapi_client(provider: HostileProvider) -> Iterator[httpx.Client]:
    """A FastAPI app protected by `Security(kc.identity)` alone: no middleware."""
    kc = KeycloakFastAPI(example_settings(provider.base_url))
    app = FastAPI()

    @app.get("/api/me")
    async def me(user: Identity = Security(kc.identity)) -> dict[str, Any]:  # noqa: B008
        return {"sub": user.claims.sub}

    from starlette.testclient import TestClient

    with TestClient(app, base_url=PUBLIC_URL, raise_server_exceptions=False) as client:
        yield client


def test_fastapi_dependency_accepts_the_dpop_scheme_with_a_proof(
    fastapi_client: httpx.Client, provider: HostileProvider, key: DPoPKey
) -> None:
    bound = _bound_token(provider, key)
    auth = {"Authorization": f"DPoP {bound}"}
    proof = key.proof("GET", URL, access_token=bound)
    ok = fastapi_client.get("/api/me", headers={**auth, "DPoP": proof})
    assert ok.status_code == 200, ok.text
    refusals = (
        (fastapi_client.get("/api/me", headers={**auth, "DPoP": proof}), "replayed"),
        (fastapi_client.get("/api/me", headers=auth), "no DPoP proof"),
        (
            fastapi_client.get(
                "/api/me",
                headers={**auth, "DPoP": DPoPKey().proof("GET", URL, access_token=bound)},
            ),
            "bound to",
        ),
        (
            fastapi_client.get(
                "/api/me",
                headers={**auth, "DPoP": key.proof("GET", URL + "x", access_token=bound)},
            ),
            "htu",
        ),
    )
    for answer, reason in refusals:
        assert answer.status_code == 401, (reason, answer.status_code)
        assert answer.headers["www-authenticate"].startswith("DPoP ")
        assert reason in answer.json()["detail"]["error_description"]


def test_fastapi_dependency_refuses_a_bound_token_as_bearer_and_an_unbound_one_as_dpop(
    fastapi_client: httpx.Client, provider: HostileProvider, key: DPoPKey
) -> None:
    bound = _bound_token(provider, key)
    as_bearer = fastapi_client.get("/api/me", headers={"Authorization": f"Bearer {bound}"})
    assert as_bearer.status_code == 401
    assert "DPoP-bound" in as_bearer.headers["www-authenticate"]
    plain = provider.access_token()
    unbound = fastapi_client.get(
        "/api/me",
        headers={
            "Authorization": f"DPoP {plain}",
            "DPoP": key.proof("GET", URL, access_token=plain),
        },
    )
    assert unbound.status_code == 401
    assert "not DPoP-bound" in unbound.json()["detail"]["error_description"]
    bearer = fastapi_client.get("/api/me", headers={"Authorization": f"Bearer {plain}"})
    assert bearer.status_code == 200


def test_drf_authentication_checks_dpop_without_the_middleware(
    provider: HostileProvider, key: DPoPKey
) -> None:
    build_app("django", provider.base_url, PUBLIC_URL)  # settings and engine for this provider
    from django.test import RequestFactory
    from keycloak_sdk.extensions.django.drf import KeycloakAuthentication
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    authentication = KeycloakAuthentication()
    bound = _bound_token(provider, key)
    factory = RequestFactory(HTTP_HOST="127.0.0.1:8765")

    def request(**headers: str) -> Request:
        # No middleware ran: the request carries no identity of its own.
        return Request(factory.get("/api/me", headers=headers))

    proof = key.proof("GET", URL, access_token=bound)
    accepted = authentication.authenticate(request(Authorization=f"DPoP {bound}", DPoP=proof))
    assert accepted is not None
    assert isinstance(accepted[1], Identity) and accepted[1].access_token == bound

    for headers, reason in (
        ({"Authorization": f"DPoP {bound}", "DPoP": proof}, "replayed"),
        ({"Authorization": f"DPoP {bound}"}, "no DPoP proof"),
        ({"Authorization": f"Bearer {bound}"}, "DPoP-bound"),
    ):
        refused = request(**headers)
        with pytest.raises(AuthenticationFailed, match=reason):
            authentication.authenticate(refused)
        challenge = authentication.authenticate_header(refused)
        expected = "DPoP " if headers["Authorization"].startswith("DPoP") else "Bearer "
        assert challenge.startswith(expected)
