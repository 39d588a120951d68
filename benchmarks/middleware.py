"""Middleware cost per framework: a protected API route against an unprotected one.

Each example app (examples/*_app) runs in-process against a local fake provider (the hostile
provider of tests/hostile, answering correctly): Flask and Django through direct WSGI calls,
Starlette and FastAPI through direct ASGI calls on one event loop. Measured in process CPU
time, best of several rounds:

* unprotected: GET /public (the middleware classifies the path and lets it through);
* protected, repeated token: GET /api/me with the same bearer token (verified-token cache hit);
* protected, distinct tokens: GET /api/me with a token never seen before on every request
  (full RS256 validation each time).

Ratio = protected / unprotected throughput (1.0 would mean protection is free).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.report import Row

SECTION = "Middleware: protected vs unprotected throughput (in-process)"
FRAMEWORKS = ("flask", "django", "starlette", "fastapi")
BATCH = 200
ROUNDS = 5
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


def _best(batch: Callable[[], None]) -> float:
    best = 0.0
    for _ in range(ROUNDS):
        began = time.process_time()
        batch()
        best = max(best, BATCH / max(time.process_time() - began, 1e-9))
    return best


def _measure(
    call: Callable[[str, str | None], int], token: str, fresh: Iterator[str]
) -> dict[str, float]:
    assert call("/public", None) == 200
    assert call("/api/me", token) == 200

    def public() -> None:
        for _ in range(BATCH):
            call("/public", None)

    def repeated() -> None:
        for _ in range(BATCH):
            call("/api/me", token)

    def distinct() -> None:
        for _ in range(BATCH):
            call("/api/me", next(fresh))

    return {"public": _best(public), "repeated": _best(repeated), "distinct": _best(distinct)}


def run() -> list[Row]:
    from tests.hostile.apps import build_app, is_asgi
    from tests.hostile.provider import HostileProvider

    rows: list[Row] = []
    with HostileProvider.running() as provider:
        token = provider.access_token()
        # Distinct tokens are signed up front, one per protected request of every round.
        per_framework = BATCH * ROUNDS
        pool = [provider.access_token() for _ in range(per_framework * len(FRAMEWORKS))]
        fresh = iter(pool)
        for framework in FRAMEWORKS:
            app = build_app(framework, provider.base_url, PUBLIC_URL)
            if is_asgi(framework):
                loop = asyncio.new_event_loop()
                try:
                    ops = _measure(_asgi_caller(app, loop), token, fresh)
                finally:
                    loop.close()
            else:
                ops = _measure(_wsgi_caller(app), token, fresh)
            rows.append(
                Row(SECTION, f"{framework}: GET /public (unprotected)", ops["public"], "req/s")
            )
            rows.append(
                Row(
                    SECTION,
                    f"{framework}: GET /api/me, repeated token",
                    ops["repeated"],
                    "req/s",
                    "unprotected",
                    ops["repeated"] / ops["public"],
                    note="verified-token cache hit; ratio = protected / unprotected",
                )
            )
            rows.append(
                Row(
                    SECTION,
                    f"{framework}: GET /api/me, distinct tokens",
                    ops["distinct"],
                    "req/s",
                    "unprotected",
                    ops["distinct"] / ops["public"],
                    note="full RS256 validation per request; ratio = protected / unprotected",
                )
            )
    return rows
