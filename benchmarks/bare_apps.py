"""What a user would otherwise have: a bare app of each framework, with a minimal hand-written
bearer check (bare `cryptography` RS256 verify, `exp`/`iss`), as the middleware benchmark's
baseline. `/public` answers like the examples' `/public`; `/api/me` like their `/api/me`.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class BareBearerCheck:
    """The check a developer writes by hand: one key, RS256, signature, `exp`, `iss`."""

    def __init__(self, public_key: rsa.RSAPublicKey, issuer: str) -> None:
        self.public_key = public_key
        self.issuer = issuer

    def claims(self, header: str | None) -> Mapping[str, Any] | None:
        if not header or not header.startswith("Bearer "):
            return None
        try:
            head, payload, signature = header[7:].split(".")
            self.public_key.verify(
                _b64(signature),
                f"{head}.{payload}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims: dict[str, Any] = json.loads(_b64(payload))
        except (ValueError, InvalidSignature):
            return None
        if claims.get("iss") != self.issuer or float(claims.get("exp", 0)) < time.time():
            return None
        return claims


# The examples' own routes, in their order, without the SDK's: the bare app routes a request
# past the same routes as the example does (Starlette and Django try them one by one), so the
# ratio measures the middleware, not the size of the example's route table.
# tests/unit/test_bare_apps.py keeps this list equal to the examples'.
EXAMPLE_ROUTES = (
    "/",
    "/public",
    "/profile",
    "/api/me",
    "/api/admin",
    "/api/reader",
    "/api/email",
    "/api/extra",
    "/documents/{doc_id}",
)
DOCUMENT_METHODS = ["GET", "POST", "DELETE"]
# Routes that only the example's Django project has (a page of keycloak-client's example).
DJANGO_ONLY_ROUTES = ("/howdy",)
# Only the ASGI examples serve a WebSocket.
WEBSOCKET_ROUTE = "/ws"


def _plain(path: str) -> dict[str, Any]:
    """What a bare app's route answers where the example's needs a user: its name only."""
    return {"route": path}


def flask_app(check: BareBearerCheck) -> Any:
    from flask import Flask, jsonify, request

    app = Flask("bare")
    app.config["SECRET_KEY"] = "bare-app-secret"  # as the example has one (Flask opens its session)

    def public() -> Any:
        return jsonify(public=True)

    def me() -> Any:
        claims = check.claims(request.headers.get("Authorization"))
        if claims is None:
            return jsonify(error="invalid_token"), 401
        return jsonify(user=claims.get("preferred_username"), sub=claims.get("sub"))

    def route(path: str) -> Any:
        def view(**params: str) -> Any:
            return jsonify(_plain(path))

        return view

    for path in EXAMPLE_ROUTES:
        view = {"/public": public, "/api/me": me}.get(path) or route(path)
        rule = path.replace("{", "<").replace("}", ">")
        methods = DOCUMENT_METHODS if "{" in path else ["GET"]
        app.add_url_rule(rule, endpoint=path, view_func=view, methods=methods)
    return app


def starlette_app(check: BareBearerCheck) -> Any:
    """The bearer check as Starlette's authentication docs write it: an
    `AuthenticationBackend` under Starlette's `AuthenticationMiddleware`, so that the view
    reads `request.user` as the example's views do. Only /api/me has it (Starlette's
    per-route middleware), so /public and the other routes run as in an app with no
    authentication at all."""
    from starlette.applications import Starlette
    from starlette.authentication import (
        AuthCredentials,
        AuthenticationBackend,
        AuthenticationError,
        SimpleUser,
    )
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.requests import HTTPConnection, Request
    from starlette.responses import JSONResponse
    from starlette.routing import BaseRoute, Route, WebSocketRoute
    from starlette.websockets import WebSocket

    class BareUser(SimpleUser):
        def __init__(self, claims: Mapping[str, Any]) -> None:
            super().__init__(str(claims.get("preferred_username")))
            self.claims = claims

    class BareBearerBackend(AuthenticationBackend):
        async def authenticate(
            self, conn: HTTPConnection
        ) -> tuple[AuthCredentials, BareUser] | None:
            header = conn.headers.get("authorization")
            if header is None:
                return None
            claims = check.claims(header)
            if claims is None:
                raise AuthenticationError("invalid_token")
            return AuthCredentials(["authenticated"]), BareUser(claims)

    def refused(conn: HTTPConnection, exc: AuthenticationError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=401)

    async def public(request: Request) -> JSONResponse:
        return JSONResponse({"public": True, "user": None})

    async def me(request: Request) -> JSONResponse:
        user = request.user
        if not isinstance(user, BareUser):
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({"user": user.display_name, "sub": user.claims.get("sub")})

    async def other(request: Request) -> JSONResponse:
        return JSONResponse(_plain(request.scope["path"]))

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close()

    authentication = [
        Middleware(AuthenticationMiddleware, backend=BareBearerBackend(), on_error=refused)
    ]
    routes: list[BaseRoute] = [
        Route(
            path,
            {"/public": public, "/api/me": me}.get(path, other),
            methods=DOCUMENT_METHODS if "{" in path else None,
            middleware=authentication if path == "/api/me" else None,
        )
        for path in EXAMPLE_ROUTES
    ]
    routes.append(WebSocketRoute(WEBSOCKET_ROUTE, echo))
    return Starlette(routes=routes)


def fastapi_app(check: BareBearerCheck) -> Any:
    """The bearer check as FastAPI's security tutorial writes it: a dependency on a security
    scheme (`HTTPBearer`, so that /docs offers an Authorize button and the OpenAPI document
    declares the scheme), used by the route through `Depends`. The example's `/api/me` has
    the same shape: `Security(kc.claims)` on a dependency on the OpenID Connect scheme."""
    from fastapi import Depends, FastAPI, HTTPException, Security
    from fastapi.security import HTTPBearer
    from starlette.websockets import WebSocket

    app = FastAPI()
    scheme = Security(HTTPBearer(auto_error=False))

    async def current_claims(credentials: Any = scheme) -> Mapping[str, Any]:
        claims = check.claims(f"Bearer {credentials.credentials}") if credentials else None
        if claims is None:
            raise HTTPException(401, "invalid_token", {"WWW-Authenticate": "Bearer"})
        return claims

    async def public() -> dict[str, bool]:
        return {"public": True}

    authenticated = Depends(current_claims)

    async def me(claims: Any = authenticated) -> dict[str, Any]:
        return {"user": claims.get("preferred_username"), "sub": claims.get("sub")}

    def route(path: str) -> Any:
        async def view() -> dict[str, Any]:
            return _plain(path)

        async def document(doc_id: str) -> dict[str, Any]:
            return _plain(path)

        return document if "{" in path else view

    for path in EXAMPLE_ROUTES:
        endpoint = {"/public": public, "/api/me": me}.get(path) or route(path)
        methods = DOCUMENT_METHODS if "{" in path else ["GET"]
        app.add_api_route(path, endpoint, methods=methods)

    @app.websocket(WEBSOCKET_ROUTE)
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close()

    return app


# Django: the example project's settings and middleware without Keycloak's, and these views.
# The example's /public is a plain Django view and its /api/me a DRF view, so the bare app has
# the same kinds: a plain /public, a DRF /api/me authenticated by a minimal hand-written DRF
# authentication class (the bare check, a stateless user: no database), and a DRF /api/open
# without authentication (the unprotected DRF baseline for a repeated token).
_django_check: list[BareBearerCheck] = []


class _BareUser:
    """What a minimal hand-written DRF authentication returns: the token's user, no query."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, claims: Mapping[str, Any]) -> None:
        self.claims = claims

    def get_username(self) -> str:
        return str(self.claims.get("preferred_username") or self.claims.get("sub"))


def _django_public(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"public": True})


def _django_urls() -> list[Any]:
    from django.urls import path
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.decorators import api_view, authentication_classes
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.response import Response

    class BareBearerAuthentication(BaseAuthentication):
        def authenticate(self, request: Any) -> tuple[_BareUser, Mapping[str, Any]] | None:
            header = request.headers.get("Authorization")
            if not header:
                return None
            claims = _django_check[0].claims(header)
            if claims is None:
                raise AuthenticationFailed("invalid_token")
            return _BareUser(claims), claims

        def authenticate_header(self, request: Any) -> str:
            return "Bearer"

    @api_view(["GET"])
    @authentication_classes([BareBearerAuthentication])
    def me(request: Any) -> Any:
        if request.auth is None:
            raise AuthenticationFailed("invalid_token")
        return Response({"user": request.user.get_username(), "sub": request.auth.get("sub")})

    @api_view(["GET"])
    @authentication_classes([])
    def open_view(request: Any) -> Any:
        return Response({"user": None, "sub": None})

    def other(request: Any, **params: str) -> Any:
        from django.http import JsonResponse

        return JsonResponse(_plain(request.path))

    views: dict[str, Any] = {"/public": _django_public, "/api/me": me}
    routes = [*EXAMPLE_ROUTES[:3], *DJANGO_ONLY_ROUTES, *EXAMPLE_ROUTES[3:]]
    patterns = [
        path(route[1:].replace("{", "<str:").replace("}", ">"), views.get(route, other))
        for route in routes
    ]
    # The DRF baseline for a repeated token, one pattern after /api/me.
    patterns.insert(routes.index("/api/me") + 1, path("api/open", open_view))
    return patterns


# The unprotected route of each bare app that a repeated-token request is compared with: a
# route of the same kind as the example's /api/me (a DRF view for Django).
OPEN_ROUTE = {
    "flask": "/public",
    "starlette": "/public",
    "fastapi": "/public",
    "django": "/api/open",
}


urlpatterns: list[Any] = []  # filled by django_app(); this module is the bare app's ROOT_URLCONF


def django_app(check: BareBearerCheck) -> Any:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    _django_check[:] = [check]
    urlpatterns[:] = _django_urls()
    middleware = [m for m in settings.MIDDLEWARE if not m.startswith("keycloak_sdk.")]
    handler = WSGIHandler.__new__(WSGIHandler)
    saved = (settings.MIDDLEWARE, settings.ROOT_URLCONF)
    settings.MIDDLEWARE, settings.ROOT_URLCONF = middleware, __name__
    try:
        WSGIHandler.__init__(handler)  # loads this middleware list
    finally:
        settings.MIDDLEWARE, settings.ROOT_URLCONF = saved

    def app(environ: Any, start_response: Any) -> Any:
        # The handler reads ROOT_URLCONF per request; the example app keeps its own.
        settings.ROOT_URLCONF = __name__
        try:
            return handler(environ, start_response)
        finally:
            settings.ROOT_URLCONF = saved[1]

    return app
