"""Bad input never reaches 500, for every adapter (no Keycloak needed: nothing here calls it,
and the one case that would gets a clean 503)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from flask import Flask
from keycloak_sdk.extensions.flask import AuthenticationMiddleware as FlaskMiddleware
from keycloak_sdk.extensions.login import LoginTransaction
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.starlette import AuthenticationMiddleware
from keycloak_sdk.extensions.web.engine import AuthEngine
from keycloak_sdk.extensions.web.sealing import CookieSealer
from keycloak_sdk.extensions.web.sessions import SessionRecord, SessionTicket, StoredTokens
from keycloak_sdk.extensions.web.settings import WebSettings
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

SECRET = "unit-test-secret-0123456789"
UNREACHABLE = "http://127.0.0.1:9"  # discard port: nothing listens


def make_engine(server_url: str = UNREACHABLE, **options: Any) -> AuthEngine:
    settings = ClientSettings(
        server_url=server_url,
        realm="sdk-test",
        client_id="sdk-confidential",
        client_secret="not-used",
        timeout=2.0,
    )
    return AuthEngine(
        WebSettings.build(
            settings,
            SECRET,
            public_paths=("/public",),
            api_paths=("/api/*",),
            logout_path="/logout",
            callback_url="http://127.0.0.1:8000/kc/callback",
            **options,
        )
    )


async def _ok(request: Any) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def _fast_ok() -> PlainTextResponse:
    return PlainTextResponse("ok")


async def _echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


def starlette_app(engine: AuthEngine) -> Starlette:
    routes: list[BaseRoute] = [
        Route(p, _ok, methods=["GET", "POST"]) for p in ("/public", "/api/x", "/logout")
    ]
    routes.append(WebSocketRoute("/ws", _echo))
    app = Starlette(routes=routes)
    app.add_middleware(AuthenticationMiddleware, engine=engine)
    return app


def fastapi_app(engine: AuthEngine) -> FastAPI:
    app = FastAPI()
    for path in ("/public", "/api/x", "/logout"):
        app.add_api_route(path, _fast_ok, methods=["GET", "POST"])
    app.add_api_websocket_route("/ws", _echo)
    app.add_middleware(AuthenticationMiddleware, engine=engine)
    return app


def flask_app(engine: AuthEngine) -> Flask:
    app = Flask(__name__)
    for path in ("/public", "/api/x", "/logout"):
        app.add_url_rule(path, path, lambda: "ok", methods=["GET", "POST"])
    app.wsgi_app = FlaskMiddleware(app.wsgi_app, engine=engine)  # type: ignore[method-assign]
    return app


class Harness:
    def __init__(self, framework: str, client: httpx.Client, engine: AuthEngine) -> None:
        self.framework = framework
        self.client = client
        self.engine = engine

    def session(self, record: SessionRecord) -> str:
        """Store `record` and return the cookie value that names it."""
        ticket = SessionTicket.new()
        asyncio.run(self.engine.config.session_store.put(ticket, record))
        return CookieSealer(SECRET).seal(ticket.encode(), max_age=600)


@contextmanager
def serve(framework: str, engine: AuthEngine) -> Iterator[httpx.Client]:
    base = "http://127.0.0.1:8000"
    if framework == "flask":
        transport = httpx.WSGITransport(app=flask_app(engine))
        with httpx.Client(transport=transport, base_url=base) as client:
            yield client
        return
    app = starlette_app(engine) if framework == "starlette" else fastapi_app(engine)
    with TestClient(app, base_url=base, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture(params=["starlette", "fastapi", "flask"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    engine = make_engine()
    with serve(request.param, engine) as client:
        yield Harness(request.param, client, engine)


def _pending(harness: Harness) -> tuple[str, str]:
    """A sealed pending-login cookie (kc_login) and its state."""
    transaction = LoginTransaction.new("http://127.0.0.1:8000/kc/callback")
    entry = [{"t": transaction.to_dict(), "r": "/"}]
    sealer = CookieSealer(SECRET, purpose="keycloak-sdk.login")
    return sealer.seal(json.dumps(entry).encode(), max_age=600), transaction.state


@pytest.mark.parametrize(
    "query",
    [
        "",
        "code=abc",
        "state=",
        "state=unknown&code=abc",
        "state=a&state=b&code=abc",
        "state=%zz%&&==&code",
        "code=x&" + "&".join(f"k{i}=v" for i in range(200)),
    ],
)
def test_bad_callbacks_are_400(harness: Harness, query: str) -> None:
    response = harness.client.get(f"/kc/callback?{query}")
    assert response.status_code == 400


def test_duplicate_code_or_state_with_a_real_pending_login_is_400(harness: Harness) -> None:
    cookie, state = _pending(harness)
    harness.client.cookies.set("kc_login", cookie)
    duplicated = harness.client.get(f"/kc/callback?state={state}&state={state}&code=a")
    assert duplicated.status_code == 400
    missing_code = harness.client.get(f"/kc/callback?state={state}")
    assert missing_code.status_code == 400


def test_callback_without_the_login_cookie_is_400(harness: Harness) -> None:
    _cookie, state = _pending(harness)
    assert harness.client.get(f"/kc/callback?state={state}&code=abc").status_code == 400


def test_callback_state_is_single_use(harness: Harness) -> None:
    cookie, state = _pending(harness)
    harness.client.cookies.set("kc_login", cookie)
    first = harness.client.get(f"/kc/callback?state={state}&code=abc")
    assert first.status_code == 503  # Keycloak unreachable: a clean answer, not a 500
    assert "kc_login=;" in first.headers["set-cookie"]  # the login is spent
    harness.client.cookies.clear()
    assert harness.client.get(f"/kc/callback?state={state}&code=abc").status_code == 400


def test_callback_only_answers_get(harness: Harness) -> None:
    assert harness.client.post("/kc/callback?state=x&code=y").status_code == 405


def test_tampered_session_cookie_is_ignored(harness: Harness) -> None:
    harness.client.cookies.set("kc_session", "A" * 80)
    assert harness.client.get("/public").status_code == 200
    assert harness.client.get("/api/x").status_code == 401


def test_oversize_headers(harness: Harness) -> None:
    huge = "Bearer " + "a" * 10_000
    api = harness.client.get("/api/x", headers={"Authorization": huge})
    assert api.status_code == 400
    assert 'error="invalid_request"' in api.headers["www-authenticate"]
    browser = harness.client.get("/profile", headers={"Cookie": "x=" + "b" * 10_000})
    assert browser.status_code == 431


@pytest.mark.parametrize(
    ("authorization", "status", "error"),
    [
        (None, 401, None),
        ("Bearer", 400, "invalid_request"),
        ("Bearer x.y.z", 401, "invalid_token"),
        (b"Bearer \xe9\xe9", 401, "invalid_token"),
        ("Bearer eyJhbGciOiJub25lIn0.e30.", 401, "invalid_token"),
        ("Bearer a b", 400, "invalid_request"),
        ("Digest x", 401, None),
    ],
)
def test_api_bearer_errors(
    harness: Harness, authorization: str | bytes | None, status: int, error: str | None
) -> None:
    if harness.framework == "flask" and isinstance(authorization, bytes):
        pytest.skip("httpx's WSGI transport cannot carry non-ASCII header bytes")
    headers: list[tuple[bytes, bytes]] = []
    if authorization is not None:
        raw = authorization if isinstance(authorization, bytes) else authorization.encode()
        headers.append((b"authorization", raw))
    response = harness.client.get("/api/x", headers=headers)
    assert response.status_code == status
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="sdk-test"')
    assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)
    assert "location" not in response.headers


def _logged_in(harness: Harness) -> str:
    tokens = StoredTokens("at", "rt", "idt", time.time() + 300, time.time() + 600)
    return harness.session(SessionRecord(expires_at=time.time() + 600, tokens=tokens))


def test_logout_by_a_foreign_get_asks_for_confirmation(harness: Harness) -> None:
    harness.client.cookies.set("kc_session", _logged_in(harness))
    for site in ("cross-site", "same-site", None):
        headers = {"Sec-Fetch-Site": site} if site else {}
        response = harness.client.get("/logout", headers=headers)
        assert response.status_code == 200
        assert '<form method="post" action="/logout">' in response.text
        assert "set-cookie" not in response.headers  # still logged in
        assert response.headers["x-frame-options"] == "DENY"
    assert harness.client.put("/logout").status_code == 405


def test_logout_by_a_same_origin_link_logs_out(harness: Harness) -> None:
    harness.client.cookies.set("kc_session", _logged_in(harness))
    # The session is ended; the end-session URL needs Keycloak, unreachable here: 503.
    response = harness.client.get("/logout", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 503
    assert harness.client.get("/logout").status_code == 200  # no session any more
    assert harness.client.get("/logout").text == "ok"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:9999"},  # another port of the same host
        {"Origin": "https://127.0.0.1:8000"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_origin_logout_post_is_refused(harness: Harness, headers: dict[str, str]) -> None:
    harness.client.cookies.set("kc_session", _logged_in(harness))
    response = harness.client.post("/logout", headers=headers)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_same_origin_logout_post_lands_on_the_configured_origin(harness: Harness) -> None:
    response = harness.client.post(
        "/logout", headers={"Origin": "http://127.0.0.1:8000", "Host": "evil.example"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "http://127.0.0.1:8000/"


def test_foreign_cookies_do_not_hide_the_session(harness: Harness) -> None:
    """Valueless and JSON cookies of other apps on the host (SimpleCookie drops them all)."""
    cookie, state = _pending(harness)
    header = f'flag; prefs={{"theme":"dark"}}; kc_login={cookie}; other="a b"'
    answer = harness.client.get(f"/kc/callback?state={state}&code=abc", headers={"Cookie": header})
    assert answer.status_code == 503  # the pending login was found; Keycloak is unreachable


def test_non_ascii_return_path_is_encoded_in_location() -> None:
    from keycloak_sdk.extensions.web.engine import WebResponse

    response = WebResponse.redirect("/%E2%98%83/\u2603?q=\u00e9#x")
    assert dict(response.headers)["location"] == "/%E2%98%83/%E2%98%83?q=%C3%A9#x"


@pytest.mark.parametrize("framework", ["starlette", "fastapi", "flask"])
def test_a_keycloak_that_never_answers_is_503_within_the_deadline(framework: str) -> None:
    """Connections are accepted (the listen backlog) but nothing is ever answered; the
    per-request timeouts alone (and discovery's retries) would take far longer."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        engine = make_engine(url, keycloak_deadline=1.0)
        with serve(framework, engine) as client:
            began = time.monotonic()
            response = client.get("/profile")
            elapsed = time.monotonic() - began
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert elapsed < 10, elapsed


def test_two_authorization_headers_are_400(harness: Harness) -> None:
    headers = [(b"authorization", b"Bearer a.b.c"), (b"authorization", b"Bearer d.e.f")]
    if harness.framework == "flask":
        # httpx's WSGI transport keeps one of them; WSGI servers (wsgiref, gunicorn) join
        # repeated headers with a comma, which is what the app then sees.
        headers = [(b"authorization", b"Bearer a.b.c,Bearer d.e.f")]
    response = harness.client.get("/api/x", headers=headers)
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


def test_login_cookie_lives_as_long_as_a_pending_login() -> None:
    from keycloak_sdk.extensions.web.engine import WebRequest

    engine = make_engine()
    request = WebRequest("GET", "/", "", {})
    entry = {"t": LoginTransaction.new("http://x/cb").to_dict(), "r": "/"}
    name, value = engine._login_cookie(request, [entry])
    assert name == "set-cookie"
    assert "Max-Age=599;" in value or "Max-Age=600;" in value
    secure = WebRequest("GET", "/", "", {}, scheme="https")
    _, value = engine._login_cookie(secure, [entry])
    assert value.startswith("__Host-kc_login=") and "; Secure" in value and "Path=/" in value
    _, session = engine._set_cookie(secure, SessionTicket.new())
    assert session.startswith("__Host-kc_session=")


def test_logout_page_is_shown_without_a_session(harness: Harness) -> None:
    response = harness.client.get("/logout")
    assert response.status_code == 200 and response.text == "ok"


def test_logout_without_session_just_lands(harness: Harness) -> None:
    response = harness.client.post("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "http://127.0.0.1:8000/"


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"", 400), (b"logout_token=a&logout_token=b", 400), (b"\xff\xfe", 400), (b"x" * 70_000, 413)],
)
def test_backchannel_logout_bad_bodies(harness: Harness, body: bytes, status: int) -> None:
    response = harness.client.post(
        "/kc/backchannel-logout",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == status
    assert response.json()["error"] == "invalid_request"


def test_backchannel_logout_refuses_get(harness: Harness) -> None:
    assert harness.client.get("/kc/backchannel-logout").status_code == 405


def test_forged_logout_token_is_refused(harness: Harness) -> None:
    response = harness.client.post("/kc/backchannel-logout", data={"logout_token": "x.y.z"})
    assert response.status_code == 400


def test_keycloak_down_is_503_not_500(harness: Harness) -> None:
    assert harness.client.get("/profile").status_code == 503


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_websocket_without_token_is_closed(framework: str) -> None:
    engine = make_engine()
    app = starlette_app(engine) if framework == "starlette" else fastapi_app(engine)
    with TestClient(app) as client:
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws") as ws:
            ws.receive_text()
        assert closed.value.code == 1008
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect("/ws", headers={"Authorization": "Bearer x.y.z"}) as ws,
        ):
            ws.receive_text()


def test_unreachable_keys_are_503_not_401(harness: Harness) -> None:
    # Well formed, so validation needs the realm's keys, which cannot be fetched.
    token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    response = harness.client.get("/api/x", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503


def test_flask_runs_the_engine_in_the_request_thread() -> None:
    """No background event-loop thread: the WSGI request's own thread does the work."""
    import threading

    before = {thread.ident for thread in threading.enumerate()}
    engine = make_engine()
    with serve("flask", engine) as client:
        assert client.get("/api/x", headers={"Authorization": "Bearer a.b.c"}).status_code in (
            401,
            503,
        )
        assert client.get("/profile").status_code == 503  # Keycloak unreachable
    started = [t.name for t in threading.enumerate() if t.ident not in before]
    assert started == []
