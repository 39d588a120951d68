"""A WebSocket authenticated by the session cookie must come from the app's own origin: the
handshake carries the cookie from any page (SameSite does not apply to the socket's origin)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from examples import example_settings
from tests.helpers.keycloak import RunningKeycloak
from tests.keycloak_browser import KeycloakBrowser

BASE = "http://127.0.0.1:8765"


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_session_websocket_needs_this_apps_origin(
    framework: str, keycloak: RunningKeycloak
) -> None:
    if framework == "starlette":
        from examples.starlette_app.app import create_app
    else:
        from examples.fastapi_app.app import create_app
    app = create_app(example_settings(keycloak.base_url), public_url=BASE)
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        start = client.get("/profile")
        with KeycloakBrowser() as browser:
            back = browser.submit_login(start.headers["location"], "alice", "alice-password")
        parts = urlsplit(back)
        assert client.get(f"{parts.path}?{parts.query}").status_code == 302
        # The test client's WebSocket does not send its cookie jar: the header is given here.
        cookie = f"kc_session={client.cookies['kc_session']}"
        with client.websocket_connect("/ws", headers={"Origin": BASE, "Cookie": cookie}) as ws:
            assert ws.receive_json()["user"] == "alice"
        for foreign in ("http://127.0.0.1:9999", "https://evil.example", "null"):
            headers = {"Origin": foreign, "Cookie": cookie}
            with (
                pytest.raises(WebSocketDisconnect) as closed,
                client.websocket_connect("/ws", headers=headers) as socket,
            ):
                socket.receive_json()
            assert closed.value.code == 1008
