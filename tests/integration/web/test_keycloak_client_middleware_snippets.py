"""The keycloak-client documentation's middleware snippets run with only the import changed.

Permitted edits besides the import: Flask's `app.wsgi` is `app.wsgi_app`, and Starlette's
removed `@app.route` decorator becomes `routes=[Route(...)]`. Client settings come from
KEYCLOAK_* environment variables, as keycloak-client's `Client()` took them from its config.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from tests.helpers.keycloak import RunningKeycloak
from tests.keycloak_browser import KeycloakBrowser

FLASK_SNIPPET = """
from flask import Flask

from keycloak_sdk.extensions.flask import AuthenticationMiddleware

app = Flask(__name__)
app.config["SECRET_KEY"] = "secret0123456789"


app.wsgi_app = AuthenticationMiddleware(
    app.wsgi_app,
    app.config,
    app.session_interface,
    callback_url="http://localhost:5000/kc/callback",
    redirect_uri="/howdy",
    logout_uri="/logout"
)


@app.route("/howdy")
def howdy():
    return "Howdy!"

@app.route("/logout")
def logout():
    return "User logged out!"


if __name__ == "__main__":
    app.run(debug=True)
"""

STARLETTE_SNIPPET = """
import uvicorn

from starlette.applications import Starlette
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from keycloak_sdk.extensions.starlette import AuthenticationMiddleware


def howdy(request):
    return PlainTextResponse("Howdy! ")


def logout(request):
    return PlainTextResponse("User logged out!")


app = Starlette(routes=[Route("/howdy", howdy), Route("/logout", logout)])
app.debug = True
app.add_middleware(AuthenticationMiddleware, callback_url="http://localhost:8000/kc/\
callback", redirect_uri="/howdy", logout_uri="/logout")
app.add_middleware(SessionMiddleware, secret_key="secret0123456789")


if __name__ == "__main__":
    uvicorn.run(app)
"""


@pytest.fixture
def keycloak_client_env(keycloak: RunningKeycloak, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYCLOAK_SERVER_URL", keycloak.base_url)
    monkeypatch.setenv("KEYCLOAK_REALM", keycloak.realm)
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "sdk-confidential")
    monkeypatch.setenv("KEYCLOAK_CLIENT_SECRET", "sdk-confidential-secret")


def _run(snippet: str) -> Any:
    namespace: dict[str, Any] = {"__name__": "keycloak_client_snippet"}
    exec(compile(snippet, "<keycloak-client snippet>", "exec"), namespace)  # noqa: S102 (our own constant text)
    return namespace["app"]


def _login_and_logout(app: httpx.Client | TestClient, issuer: str) -> None:
    start = app.get("/howdy")
    assert start.status_code == 302
    assert start.headers["location"].startswith(f"{issuer}/protocol/openid-connect/auth?")
    browser = KeycloakBrowser()
    try:
        back = browser.submit_login(start.headers["location"], "alice", "alice-password")
    finally:
        browser.close()
    assert back.startswith(f"{app.base_url}/kc/callback?")
    parts = urlsplit(back)
    done = app.get(f"{parts.path}?{parts.query}")
    assert done.status_code == 302
    assert done.headers["location"] == "/howdy"
    howdy = app.get("/howdy")
    assert howdy.status_code == 200
    assert howdy.text.startswith("Howdy!")
    # A link to logout_uri from another site only gets a page with a button (a POST) ...
    confirm = app.get("/logout", headers={"Sec-Fetch-Site": "cross-site"})
    assert confirm.status_code == 200 and '<form method="post" action="/logout">' in confirm.text
    assert app.get("/howdy").status_code == 200
    # ... the same link followed from the app's own pages logs out; afterwards the app's
    # own /logout page shows.
    out = app.get("/logout", headers={"Sec-Fetch-Site": "same-origin"})
    assert out.status_code == 303
    assert "post_logout_redirect_uri=" in out.headers["location"]
    page = app.get("/logout")
    assert page.status_code == 200 and page.text == "User logged out!"
    assert app.get("/howdy").status_code == 302


def test_flask_snippet(keycloak_client_env: None, keycloak: RunningKeycloak) -> None:
    app = _run(FLASK_SNIPPET)
    transport = httpx.WSGITransport(app=app)
    with httpx.Client(transport=transport, base_url="http://localhost:5000") as client:
        _login_and_logout(client, keycloak.issuer)


def test_starlette_snippet(keycloak_client_env: None, keycloak: RunningKeycloak) -> None:
    app = _run(STARLETTE_SNIPPET)
    with TestClient(app, base_url="http://localhost:8000", follow_redirects=False) as client:
        _login_and_logout(client, keycloak.issuer)


def test_django_keycloak_client_settings_drive_the_middleware(keycloak: RunningKeycloak) -> None:
    """keycloak-client's Django names (KEYCLOAK_CALLBACK_URL, KEYCLOAK_LOGIN_REDIRECT_URI,
    KEYCLOAK_LOGOUT_REDIRECT_URI, KEYCLOAK_LOGOUT_URI) become the engine's settings."""
    from keycloak_sdk.extensions.web.settings import WebSettings

    config = WebSettings.from_mapping(
        {
            "KEYCLOAK_SERVER_URL": keycloak.base_url,
            "KEYCLOAK_REALM": keycloak.realm,
            "KEYCLOAK_CLIENT_ID": "sdk-confidential",
            "KEYCLOAK_CLIENT_SECRET": "sdk-confidential-secret",
            "KEYCLOAK_CALLBACK_URL": "http://localhost:8000/kc/callback",
            "KEYCLOAK_LOGIN_REDIRECT_URI": "/howdy",
            "KEYCLOAK_LOGOUT_REDIRECT_URI": "/bye",
            "KEYCLOAK_LOGOUT_URI": "/logout",
        },
        secret_key="0123456789abcdef",
    )
    assert config.callback_path == "/kc/callback"
    assert config.callback_url == "http://localhost:8000/kc/callback"
    assert config.default_redirect == "/howdy"
    assert config.post_logout_redirect == "/bye"
    assert config.logout_path == "/logout"
