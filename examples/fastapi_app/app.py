"""The FastAPI example application (also served by the integration tests)."""

# No `from __future__ import annotations`: FastAPI must evaluate the Annotated[...] hints
# that refer to the local `kc`.

import os
from typing import Annotated, Any

from fastapi import FastAPI, Security, WebSocket
from fastapi.responses import HTMLResponse
from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.fastapi import KeycloakFastAPI
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.identity import Identity
from keycloak_sdk.extensions.web.sessions import SessionStore

from examples import API_PATHS, DOCUMENT_PERMISSIONS, ENFORCEMENT_MODE, HOME_PAGE, PUBLIC_PATHS


def _store_option(session_store: SessionStore | None) -> dict[str, Any]:
    return {} if session_store is None else {"session_store": session_store}


def create_app(
    settings: ClientSettings,
    *,
    public_url: str,
    secret_key: str | None = None,
    session_store: SessionStore | None = None,
) -> FastAPI:
    """`session_store`: in memory by default; a `RedisSessionStore` for several workers."""
    kc = KeycloakFastAPI(
        settings,
        secret_key=secret_key,
        public_paths=(*PUBLIC_PATHS, "/docs", "/openapi.json"),
        api_paths=API_PATHS,
        callback_url=f"{public_url}/kc/callback",
        enforcer_paths=DOCUMENT_PERMISSIONS,
        enforcement_mode=ENFORCEMENT_MODE,
        **_store_option(session_store),
    )
    app = FastAPI(title="keycloak-sdk FastAPI example")
    # Browser login and the path rules; the dependencies below work with or without it.
    app.add_middleware(kc.middleware_class, engine=kc.engine)
    app.state.keycloak = kc.engine

    @app.get("/", response_class=HTMLResponse)
    async def home() -> str:
        return HOME_PAGE.format(title="FastAPI example", csrf="")

    @app.get("/public")
    async def public() -> dict[str, bool]:
        return {"public": True}

    @app.get("/profile")
    async def profile(user: Annotated[Identity, Security(kc.identity)]) -> dict[str, object]:
        return {
            "user": user.username,
            "source": user.source,
            "roles": sorted(user.realm_roles),
            "worker": os.getpid(),
        }

    @app.get("/api/me")
    async def api_me(
        claims: Annotated[AccessTokenClaims, Security(kc.claims)],
    ) -> dict[str, object]:
        return {"user": claims.preferred_username, "sub": claims.sub}

    @app.get("/api/admin")
    async def api_admin(
        user: Annotated[Identity, Security(kc.requires_roles("admin"))],
    ) -> dict[str, bool]:
        return {"admin": True}

    @app.get("/api/reader")
    async def api_reader(
        user: Annotated[Identity, Security(kc.requires_roles("sdk-confidential:reader"))],
    ) -> dict[str, bool]:
        return {"reader": True}

    @app.get("/api/email")
    async def api_email(
        user: Annotated[Identity, Security(kc.identity, scopes=["email"])],
    ) -> dict[str, object]:
        return {"email": user.claims.email}

    @app.get("/api/extra")
    async def api_extra(
        user: Annotated[Identity, Security(kc.requires_scopes("sdk-extra"))],
    ) -> dict[str, bool]:
        return {"extra": True}

    @app.api_route("/documents/{doc_id}", methods=["GET", "POST", "DELETE"])
    async def document(
        doc_id: str, user: Annotated[Identity, Security(kc.identity)]
    ) -> dict[str, str]:
        return {"document": doc_id}

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        user = websocket.scope.get("user")
        await websocket.send_json({"user": getattr(user, "display_name", None)})
        await websocket.close()

    return app
