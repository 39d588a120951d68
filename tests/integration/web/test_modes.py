"""Engine modes beyond the examples' defaults: introspection, lazy UMA lookup, enforcement
modes, Starlette's AuthenticationBackend with @requires, and authenticated WebSockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.starlette import (
    AuthenticationMiddleware,
    KeycloakAuthBackend,
    engine_from,
)
from keycloak_sdk.extensions.web.enforcer import EnforcementMode
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.middleware import Middleware
from starlette.middleware.authentication import (
    AuthenticationMiddleware as StarletteAuthMiddleware,
)
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from examples import example_settings
from examples.fastapi_app.app import create_app as create_fastapi
from examples.starlette_app.app import create_app as create_starlette
from tests.helpers.keycloak import RunningKeycloak
from tests.integration.web.test_behaviour import UMA_GRANT, bearer, user_token

BASE = "http://127.0.0.1:8000"


async def _who(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.user.display_name, "method": request.method})


def _app(keycloak: RunningKeycloak, **options: Any) -> Starlette:
    engine = engine_from(example_settings(keycloak.base_url), api_paths=("/*",), **options)
    routes = [Route(p, _who, methods=["GET", "POST"]) for p in ("/admin/{x}", "/other")]
    return Starlette(
        routes=routes, middleware=[Middleware(AuthenticationMiddleware, engine=engine)]
    )


@pytest.fixture
def introspecting(keycloak: RunningKeycloak) -> Iterator[TestClient]:
    # Keycloak lets only a client in the token's audience introspect it: the API here is
    # sdk-exchange, which sdk-confidential's tokens name in `aud`.
    api = ClientSettings(
        server_url=keycloak.base_url,
        realm=keycloak.realm,
        client_id="sdk-exchange",
        client_secret="sdk-exchange-secret",
    )
    engine = engine_from(api, api_paths=("/*",), bearer_validation="introspection")
    app = Starlette(
        routes=[Route("/other", _who)],
        middleware=[Middleware(AuthenticationMiddleware, engine=engine)],
    )
    with TestClient(app, base_url=BASE) as client:
        yield client


def test_introspection_mode(introspecting: TestClient, keycloak: RunningKeycloak) -> None:
    token = user_token(keycloak, "alice")
    response = introspecting.get("/other", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["user"] == "alice"
    forged = introspecting.get("/other", headers=bearer(token[:-4] + "AAAA"))
    assert forged.status_code == 401
    assert 'error="invalid_token"' in forged.headers["www-authenticate"]


def test_lazy_resource_lookup_by_matching_uri(keycloak: RunningKeycloak) -> None:
    app = _app(
        keycloak,
        enforcer_lazy_load=True,
        enforcer_method_scopes={"GET": ("read",)},
        enforcement_mode=EnforcementMode.ENFORCING,
    )
    bob = user_token(keycloak, "bob")
    alice = user_token(keycloak, "alice")
    with TestClient(app, base_url=BASE) as client:
        # /admin/* is the `admin-area` resource, found through the protection API.
        challenged = client.get("/admin/panel", headers=bearer(bob))
        assert challenged.status_code == 401
        ticket = challenged.headers["www-authenticate"].split('ticket="')[1].split('"')[0]
        rpt = httpx.post(
            f"{keycloak.issuer}/protocol/openid-connect/token",
            data={"grant_type": UMA_GRANT, "ticket": ticket},
            headers=bearer(bob),
            timeout=30,
        )
        assert rpt.status_code == 200, rpt.text
        allowed = client.get("/admin/panel", headers=bearer(rpt.json()["access_token"]))
        assert allowed.status_code == 200, allowed.text
        # No resource matches /other: ENFORCING denies it.
        assert client.get("/other", headers=bearer(alice)).status_code == 403


@pytest.mark.parametrize(
    ("mode", "status"), [(EnforcementMode.PERMISSIVE, 200), (EnforcementMode.DISABLED, 200)]
)
def test_permissive_and_disabled_modes(
    keycloak: RunningKeycloak, mode: EnforcementMode, status: int
) -> None:
    app = _app(keycloak, enforcer_lazy_load=True, enforcement_mode=mode)
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/other", headers=bearer(user_token(keycloak, "alice"))).status_code == (
            status
        )


@requires(["authenticated", "role:admin"])
async def _admin_only(request: Request) -> JSONResponse:
    return JSONResponse({"admin": request.user.display_name})


def test_authentication_backend_with_requires(keycloak: RunningKeycloak) -> None:
    engine = engine_from(example_settings(keycloak.base_url))
    app = Starlette(
        routes=[Route("/admin", _admin_only)],
        middleware=[Middleware(StarletteAuthMiddleware, backend=KeycloakAuthBackend(engine))],
    )
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/admin").status_code == 403  # anonymous
        assert client.get("/admin", headers=bearer(user_token(keycloak, "alice"))).status_code == (
            403
        )
        ok = client.get("/admin", headers=bearer(user_token(keycloak, "bob")))
        assert ok.status_code == 200 and ok.json() == {"admin": "bob"}
        assert client.get("/admin", headers=bearer("x.y.z")).status_code == 400


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_websocket_with_a_bearer_token(keycloak: RunningKeycloak, framework: str) -> None:
    create = create_starlette if framework == "starlette" else create_fastapi
    app = create(example_settings(keycloak.base_url), public_url=BASE)
    token = user_token(keycloak, "alice")
    with (
        TestClient(app, base_url=BASE) as client,
        client.websocket_connect("/ws", headers=bearer(token)) as ws,
    ):
        assert ws.receive_json() == {"user": "alice"}


def test_one_app_served_on_two_event_loops(keycloak: RunningKeycloak) -> None:
    app = create_starlette(example_settings(keycloak.base_url), public_url=BASE)
    token = user_token(keycloak, "alice")
    for _ in range(2):  # each TestClient block runs its own event loop
        with TestClient(app, base_url=BASE) as client:
            assert client.get("/api/me", headers=bearer(token)).status_code == 200
            assert client.get("/profile", follow_redirects=False).status_code == 302
