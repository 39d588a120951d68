"""The Starlette example application (also served by the integration tests)."""

from __future__ import annotations

import os

from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.starlette import AuthenticationMiddleware, KeycloakUser, engine_from
from keycloak_sdk.extensions.web.sessions import SessionStore
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from examples import API_PATHS, DOCUMENT_PERMISSIONS, ENFORCEMENT_MODE, HOME_PAGE, PUBLIC_PATHS


def _user(request: Request) -> KeycloakUser:
    user = request.user
    assert isinstance(user, KeycloakUser)
    return user


async def home(request: Request) -> Response:
    return HTMLResponse(HOME_PAGE.format(title="Starlette example", csrf=""))


async def public(request: Request) -> Response:
    return JSONResponse({"public": True, "user": request.user.display_name or None})


async def profile(request: Request) -> Response:
    user = _user(request)
    return JSONResponse(
        {
            "user": user.display_name,
            "source": user.keycloak.source,
            "roles": sorted(user.keycloak.realm_roles),
            "worker": os.getpid(),
        }
    )


async def api_me(request: Request) -> Response:
    user = _user(request)
    return JSONResponse({"user": user.display_name, "sub": user.identity})


@requires("role:admin")
async def api_admin(request: Request) -> Response:
    return JSONResponse({"admin": True})


@requires("role:sdk-confidential:reader")
async def api_reader(request: Request) -> Response:
    return JSONResponse({"reader": True})


@requires("email")
async def api_email(request: Request) -> Response:
    return JSONResponse({"email": _user(request).claims.email})


@requires("sdk-extra")
async def api_extra(request: Request) -> Response:
    return JSONResponse({"extra": True})


async def document(request: Request) -> Response:
    return JSONResponse({"document": request.path_params["doc_id"], "method": request.method})


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    user = websocket.scope.get("user")
    await websocket.send_json({"user": getattr(user, "display_name", None)})
    await websocket.close()


def create_app(
    settings: ClientSettings,
    *,
    public_url: str,
    secret_key: str | None = None,
    session_store: SessionStore | None = None,
) -> Starlette:
    """`session_store`: where logged-in sessions live (in memory by default; a
    `RedisSessionStore` for several workers, which then need the same `secret_key`)."""
    engine = engine_from(
        settings,
        secret_key=secret_key,
        public_paths=PUBLIC_PATHS,
        api_paths=API_PATHS,
        callback_url=f"{public_url}/kc/callback",
        enforcer_paths=DOCUMENT_PERMISSIONS,
        enforcement_mode=ENFORCEMENT_MODE,
        **({"session_store": session_store} if session_store is not None else {}),
    )
    routes = [
        Route("/", home),
        Route("/public", public),
        Route("/profile", profile),
        Route("/api/me", api_me),
        Route("/api/admin", api_admin),
        Route("/api/reader", api_reader),
        Route("/api/email", api_email),
        Route("/api/extra", api_extra),
        Route("/documents/{doc_id}", document, methods=["GET", "POST", "DELETE"]),
        WebSocketRoute("/ws", echo),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(AuthenticationMiddleware, engine=engine)])
    app.state.keycloak = engine
    return app
