"""The middlewares' bearer fast path (`AuthEngine.bearer_now`: one Authorization header, no
cookie, no I/O) answers every hostile token exactly as the full engine does.

The same request is sent twice to each example app: without a cookie (the fast path when it
applies) and with an unrelated cookie (always the engine's full `handle`/`handle_sync`).
Status, challenge and body must be the same; a request needing I/O falls back to the engine.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from keycloak_sdk.extensions.web.engine import _BEARER_HITS_SIZE, AuthEngine, Proceed, WebResponse

from tests.hostile.apps import FRAMEWORKS, build_app, is_asgi
from tests.hostile.provider import HostileProvider, new_rsa_key

PUBLIC_URL = "http://127.0.0.1:8765"


class _Asgi:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def get(
        self, path: str, headers: list[tuple[bytes, bytes]]
    ) -> tuple[int, dict[str, str], bytes]:
        return self.loop.run_until_complete(self._get(path, headers))

    async def _get(
        self, path: str, headers: list[tuple[bytes, bytes]]
    ) -> tuple[int, dict[str, str], bytes]:
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
            "headers": [(b"host", b"127.0.0.1:8765"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8765),
        }
        answer: dict[str, Any] = {"body": b""}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = {
                    k.decode("latin-1"): v.decode("latin-1") for k, v in message["headers"]
                }
            else:
                answer["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return answer["status"], answer["headers"], answer["body"]


class _Wsgi:
    def __init__(self, app: Any) -> None:
        self.app = app

    def get(
        self, path: str, headers: list[tuple[bytes, bytes]]
    ) -> tuple[int, dict[str, str], bytes]:
        environ: dict[str, Any] = {
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
        for name, value in headers:  # a WSGI server joins repeated headers with ", "
            key = "HTTP_" + name.decode().upper().replace("-", "_")
            text = value.decode("latin-1")
            environ[key] = f"{environ[key]}, {text}" if key in environ else text
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = {k.lower(): v for k, v in headers}

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return answer["status"], answer["headers"], body


@pytest.fixture(scope="module", params=FRAMEWORKS)
def any_app(request: pytest.FixtureRequest, hostile_server: HostileProvider) -> Iterator[Any]:
    app = build_app(request.param, hostile_server.base_url, PUBLIC_URL)
    if not is_asgi(request.param):
        yield _Wsgi(app)
        return
    asgi = _Asgi(app)
    yield asgi
    asyncio.set_event_loop(None)
    asgi.loop.close()


@pytest.fixture(scope="module")
def starlette(hostile_server: HostileProvider) -> Iterator[_Asgi]:
    asgi = _Asgi(build_app("starlette", hostile_server.base_url, PUBLIC_URL))
    yield asgi
    asyncio.set_event_loop(None)
    asgi.loop.close()


def _same_both_ways(app: _Asgi | _Wsgi, path: str, *headers: tuple[bytes, bytes]) -> int:
    fast = app.get(path, list(headers))
    full = app.get(path, [*headers, (b"cookie", b"theme=dark")])
    assert fast[0] == full[0]
    assert fast[1].get("www-authenticate") == full[1].get("www-authenticate")
    assert fast[2] == full[2]
    return fast[0]


def _bearer(token: str) -> tuple[bytes, bytes]:
    return (b"authorization", f"Bearer {token}".encode())


def test_every_hostile_token_gets_the_full_engines_answer(
    any_app: _Asgi | _Wsgi, provider: HostileProvider
) -> None:
    good = provider.access_claims()
    token = provider.sign(good)
    assert _same_both_ways(any_app, "/api/me", _bearer(token)) == 200
    assert _same_both_ways(any_app, "/api/me", _bearer(token)) == 200  # repeated
    refused = {
        "expired": provider.sign({**good, "exp": int(good["exp"]) - 10_000}),
        "issuer": provider.sign({**good, "iss": "http://127.0.0.1:1/realms/other"}),
        "audience": provider.sign({**good, "aud": ["someone-else"], "azp": "someone-else"}),
        "typ": provider.sign({**good, "typ": "ID"}),
        "no sub": provider.sign({k: v for k, v in good.items() if k != "sub"}),
        "dpop-bound": provider.sign({**good, "cnf": {"jkt": "x" * 43}}),
        "signature": token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"),
        "foreign key": provider.sign(good, key=new_rsa_key()),
        "alg none": token.split(".")[0] + "." + token.split(".")[1] + ".",
    }
    for why, bad in refused.items():
        assert _same_both_ways(any_app, "/api/me", _bearer(bad)) == 401, why
    # Malformed headers and schemes: the fast path leaves them to the engine.
    assert _same_both_ways(any_app, "/api/me", (b"authorization", b"Bearer a b")) == 400
    assert _same_both_ways(any_app, "/api/me", (b"authorization", b"Basic abc")) == 401
    assert _same_both_ways(any_app, "/api/me", _bearer(token), _bearer(token)) == 400
    assert _same_both_ways(any_app, "/api/me", _bearer("x" * 20_000)) == 400
    # A role the token lacks: 403 with RFC 6750's insufficient_scope either way.
    assert _same_both_ways(any_app, "/api/admin", _bearer(token)) == 403


def test_a_rotated_key_and_a_mapped_resource_fall_back_to_the_engine(
    starlette: _Asgi, provider: HostileProvider
) -> None:
    engine: AuthEngine = starlette.app.state.keycloak
    token = provider.access_token()
    assert _same_both_ways(starlette, "/api/me", _bearer(token)) == 200
    assert isinstance(engine.bearer_now("GET", "/api/me", f"Bearer {token}"), Proceed)
    # Not an API path, or a path the enforcer maps to a resource: always the full engine.
    assert engine.bearer_now("GET", "/public", f"Bearer {token}") is None
    assert engine.bearer_now("GET", "/documents/1", f"Bearer {token}") is None
    assert engine.bearer_now("GET", "/api/me", f"DPoP {token}") is None
    refused = engine.bearer_now("GET", "/api/me", f"Bearer {token[:-6]}AAAAAA")
    assert isinstance(refused, WebResponse) and refused.status == 401
    provider.rotate()
    rotated = provider.access_token()
    # Its key is not known: no answer without I/O; the engine fetches the JWKS (or refuses
    # within its refetch cooldown), the same either way.
    assert engine.bearer_now("GET", "/api/me", f"Bearer {rotated}") is None
    _same_both_ways(starlette, "/api/me", _bearer(rotated))


def test_a_repeated_token_is_answered_from_memory_no_longer_than_the_cache_would(
    provider: HostileProvider,
) -> None:
    """The fast answer to a repeated Authorization header ends when the verified-token cache's
    entry ends (at the token's `exp`; the token is then validated again, with the leeway),
    and when the audience setting it was checked against is replaced."""
    starlette = _Asgi(build_app("starlette", provider.base_url, PUBLIC_URL))  # its own keys
    engine: AuthEngine = starlette.app.state.keycloak
    assert _same_both_ways(starlette, "/api/me", _bearer(provider.access_token())) == 200
    claims = provider.access_claims()
    claims["exp"] = int(time.time()) + 1
    header = f"Bearer {provider.sign(claims)}"
    first = engine.bearer_now("GET", "/api/me", header)
    assert isinstance(first, Proceed)
    assert engine.bearer_now("GET", "/api/me", header) is first  # answered from memory
    # Another audience setting: checked again, and refused, rather than answered from memory.
    audience = engine.config.audience
    engine.config.audience = "another-api"
    try:
        refused = engine.bearer_now("GET", "/api/me", header)
        assert isinstance(refused, WebResponse) and refused.status == 401
    finally:
        engine.config.audience = audience
    assert engine.bearer_now("GET", "/api/me", header) is first
    time.sleep(max(0.0, claims["exp"] - time.time()) + 0.1)
    again = engine.bearer_now("GET", "/api/me", header)
    assert isinstance(again, Proceed) and again is not first  # validated again (leeway)
    assert engine.bearer_now("GET", "/api/me", header) is not again  # and never remembered


def test_the_fast_paths_memos_stay_bounded(provider: HostileProvider) -> None:
    starlette = _Asgi(build_app("starlette", provider.base_url, PUBLIC_URL))  # its own keys
    engine: AuthEngine = starlette.app.state.keycloak
    assert _same_both_ways(starlette, "/api/me", _bearer(provider.access_token())) == 200
    for _ in range(3):
        header = f"Bearer {provider.access_token()}"
        assert isinstance(engine.bearer_now("GET", "/api/me", header), Proceed)
    assert 0 < len(engine._bearer_hits) <= _BEARER_HITS_SIZE
    kinds = engine.route_kinds
    for index in range(5000):
        assert kinds[f"/flood/{index}"] is not None
    assert len(kinds) <= 4096
