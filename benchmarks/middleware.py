"""Middleware cost per framework, against what a user would otherwise have.

Each example app (examples/*_app) runs in-process against a local fake provider (the hostile
provider of tests/hostile, answering correctly): Flask and Django through direct WSGI calls,
Starlette and FastAPI through direct ASGI calls on one event loop. The baseline is a bare app
of the same framework (benchmarks/bare_apps.py: no Keycloak middleware; Django keeps the
example's other middleware) with the example's own routes in the example's order (routers that
try routes one by one cost the same in both), each of the same kind as the example's. Its
bearer check is minimal and hand-written (bare `cryptography` RS256 verify, `exp`, `iss`) and
sits where the framework's own documentation puts authentication: in the Flask view; in a DRF
authentication class (a stateless user, no database) for Django's DRF view; in an
`AuthenticationBackend` under Starlette's `AuthenticationMiddleware`, on /api/me only, so that
the view reads `request.user` as the example's does; for FastAPI in a dependency on an
`HTTPBearer` scheme, as its security tutorial writes it (the example's `Security(kc.claims)`
is a dependency on its OpenID Connect scheme: both declare the scheme in OpenAPI). Measured in
process CPU time, best of ROUNDS rounds, SDK app and bare app in the same run, their batches
alternating within each round:

* GET /public: SDK app vs the bare app's /public, which no authentication touches (target
  >= 0.9);
* GET /api/me, repeated token (verified-token cache hit): SDK app vs the bare app's
  unprotected route of the same kind: /public, for Django the DRF view /api/open without
  authentication (target >= 0.6);
* GET /api/me, a token never seen before on every request (full validation): SDK app vs the
  bare app's hand-written check of the same tokens (target >= 0.8).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

from benchmarks.report import Row

SECTION = "Middleware vs a bare app of the same framework (in-process)"
BATCH = 200
ROUNDS = 20
DESCRIPTION = (
    "Each example app (examples/\\*_app) against a bare app of the same framework "
    "(benchmarks/bare_apps.py), in process, in the same run, their batches alternating within "
    f"each round (best of {ROUNDS} rounds of {BATCH} requests). The bare app has the example's own "
    "routes in "
    "the example's order (Starlette, FastAPI and Django try routes one by one), of the same kind "
    "as the example's: Flask, Starlette and FastAPI plain routes; Django a plain view for /public "
    "and DRF views for /api/me (the example's /api/me is a DRF view). Its bearer check is minimal "
    "and hand-written: bare `cryptography` RS256 verify, then `exp` and `iss`, where the "
    "framework's documentation puts authentication: in the Flask view; in a DRF authentication "
    "class returning a stateless user (no database); in a Starlette `AuthenticationBackend` under "
    "Starlette's `AuthenticationMiddleware` on /api/me only (the view reads `request.user`, as "
    "the example's does); for FastAPI in a dependency on an `HTTPBearer` scheme used through "
    "`Depends`, as FastAPI's security tutorial writes it (the example's `Security(kc.claims)` is a "
    "dependency on its OpenID Connect scheme; a plain `Header` parameter would leave the scheme "
    "out of the OpenAPI document and /docs' Authorize dialog, which the example has). "
    "Baselines: /public against the bare app's /public, which no authentication touches; a "
    "repeated token against the bare app's unprotected route of the same kind (/public; for "
    "Django the DRF view /api/open without authentication); distinct tokens against the bare "
    "app's hand-written check of the same tokens. Every check the SDK is configured with still "
    "runs (signature, iss, typ, exp, iat, nbf, sub, audience, DPoP binding, the policy enforcer); "
    "a repeated token is answered from the verified-token cache (the engine remembers its answer "
    "per Authorization header for as long as the cache's entry lasts), whose entries end at the "
    "token's `exp`; a changed audience setting has the token checked again."
)
FRAMEWORKS = ("flask", "django", "starlette", "fastapi")
PUBLIC_URL = "http://127.0.0.1:8765"


def _wsgi_caller(app: Any) -> Callable[[str, str | None], int]:
    def call(path: str, token: str | None) -> int:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8765",
            "HTTP_HOST": "127.0.0.1:8765",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if token is not None:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        status: list[str] = []
        body = app(environ, lambda s, h, e=None: status.append(s))
        try:
            b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return int(status[0].split()[0])

    return call


def _asgi_caller(app: Any, loop: asyncio.AbstractEventLoop) -> Callable[[str, str | None], int]:
    async def call_async(path: str, token: str | None) -> int:
        headers = [(b"host", b"127.0.0.1:8765")]
        if token is not None:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8765),
        }
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return lambda path, token: loop.run_until_complete(call_async(path, token))


def _measure(
    apps: dict[str, Callable[[str, str | None], int]],
    token: str,
    fresh: list[str],
    open_route: str,
) -> dict[str, dict[str, float]]:
    """Best rate of each (app, request kind) over ROUNDS rounds. The SDK app's and the bare
    app's batches alternate within every round, so a slower stretch of the machine (another
    process, a frequency change) falls on both rather than on whichever ran then."""
    for call in apps.values():
        assert call("/public", None) == 200
        assert call("/api/me", token) == 200
    assert apps["bare"](open_route, None) == 200
    # Each app gets the same never-seen tokens, in the same order.
    unused = {name: iter(fresh) for name in apps}
    plan = (
        ("sdk", "public", "/public"),
        ("bare", "public", "/public"),
        ("sdk", "repeated", "/api/me"),
        ("bare", "open", open_route),
        ("sdk", "distinct", "/api/me"),
        ("bare", "distinct", "/api/me"),
    )
    rates: dict[str, dict[str, float]] = {name: {} for name in apps}
    for _ in range(ROUNDS):
        for name, kind, path in plan:
            call = apps[name]
            tokens: list[str | None]
            if kind == "distinct":
                tokens = [next(unused[name]) for _ in range(BATCH)]
            else:
                tokens = [token if kind == "repeated" else None] * BATCH
            began = time.process_time()
            for bearer in tokens:
                call(path, bearer)
            rate = BATCH / max(time.process_time() - began, 1e-9)
            rates[name][kind] = max(rates[name].get(kind, 0.0), rate)
    return rates


def _bare(framework: str, provider: Any) -> Any:
    from benchmarks import bare_apps

    check = bare_apps.BareBearerCheck(provider.signing_key.public_key(), provider.issuer)
    return getattr(bare_apps, f"{framework}_app")(check)


def _caller(app: Any, asgi: bool, loop: asyncio.AbstractEventLoop) -> Any:
    return _asgi_caller(app, loop) if asgi else _wsgi_caller(app)


def run() -> list[Row]:
    from benchmarks import bare_apps
    from tests.hostile.apps import build_app, is_asgi
    from tests.hostile.provider import HostileProvider

    rows: list[Row] = []
    with HostileProvider.running() as provider:
        token = provider.access_token()
        # Distinct tokens are signed up front: SDK and bare app get the same fresh tokens.
        per_app = BATCH * ROUNDS
        pool = [provider.access_token() for _ in range(per_app * len(FRAMEWORKS))]
        for index, framework in enumerate(FRAMEWORKS):
            fresh = pool[index * per_app : (index + 1) * per_app]
            app = build_app(framework, provider.base_url, PUBLIC_URL)
            bare = _bare(framework, provider)
            loop = asyncio.new_event_loop()
            try:
                asgi = is_asgi(framework)
                rates = _measure(
                    {"sdk": _caller(app, asgi, loop), "bare": _caller(bare, asgi, loop)},
                    token,
                    fresh,
                    bare_apps.OPEN_ROUTE[framework],
                )
                ops, base = rates["sdk"], rates["bare"]
            finally:
                loop.close()
            rows.append(
                Row(
                    SECTION,
                    f"{framework}: GET /public",
                    ops["public"],
                    "req/s",
                    f"bare {framework}",
                    ops["public"] / base["public"],
                    ">=0.9",
                    note="the middleware classifies the path and lets it through",
                )
            )
            rows.append(
                Row(
                    SECTION,
                    f"{framework}: GET /api/me, repeated token",
                    ops["repeated"],
                    "req/s",
                    f"bare {framework} {bare_apps.OPEN_ROUTE[framework]}",
                    ops["repeated"] / base["open"],
                    ">=0.6",
                    note="verified-token cache hit; baseline: the bare app's unprotected route",
                )
            )
            rows.append(
                Row(
                    SECTION,
                    f"{framework}: GET /api/me, distinct tokens",
                    ops["distinct"],
                    "req/s",
                    f"bare {framework} + hand-written RS256 check",
                    ops["distinct"] / base["distinct"],
                    ">=0.8",
                    note="full validation of a never-seen token per request",
                )
            )
    return rows
