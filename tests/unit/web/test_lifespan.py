"""The ASGI middleware closes its pooled connections to Keycloak when the server shuts down."""

from __future__ import annotations

from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.starlette import AuthenticationMiddleware, engine_from
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient


def test_shutdown_closes_the_gateway() -> None:
    settings = ClientSettings(
        server_url="http://127.0.0.1:9", realm="r", client_id="c", client_secret="s"
    )
    engine = engine_from(settings, public_paths=("/",), public_url="http://testserver")
    closed: list[bool] = []

    async def aclose() -> None:
        closed.append(True)

    engine.gateway.aclose = aclose  # type: ignore[method-assign]
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("ok"))])
    app.add_middleware(AuthenticationMiddleware, engine=engine)
    with TestClient(app) as client:
        assert client.get("/").text == "ok"
        assert closed == []
    assert closed == [True]
