"""Apps written like keycloak-client's example apps run with only their imports changed, in
Chromium, through Keycloak's real login page (see docs/frameworks/index.md, "Coming from
keycloak-client").

What those apps rely on: the examples' keyword spelling (`login_redirect_uri`,
`logout_redirect_uri`), `session["user"]` read directly by the views, a plain link to the
logout path, and a logout landing page served without a login. The only other change is the
callback URL, which names the port the test serves on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.keycloak import RunningKeycloak
from tests.helpers.web_apps import django_app
from tests.integration.web._login import browser_login
from tests.integration.web._servers import free_port, serve_asgi, serve_wsgi

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

FLASK_EXAMPLE = """
from flask import Flask, session

from keycloak_sdk.extensions.flask import AuthenticationMiddleware

app = Flask(__name__)
app.config["SECRET_KEY"] = "secret0123456789"
app.wsgi_app = AuthenticationMiddleware(
    app.wsgi_app,
    app.config,
    app.session_interface,
    callback_url="{base_url}/kc/callback",
    login_redirect_uri="/howdy",
    logout_redirect_uri="/logout",
)


@app.route("/howdy")
def howdy():
    user = session["user"]
    return f'Howdy {{user}} <a id="logout" href="/kc/logout">Log out</a>'


@app.route("/logout")
def logout():
    return "User logged out!"
"""

STARLETTE_EXAMPLE = """
from starlette.applications import Starlette
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from keycloak_sdk.extensions.starlette import AuthenticationMiddleware


async def howdy(request):
    user = request.session["user"]
    return HTMLResponse(f'Howdy {{user}} <a id="logout" href="/kc/logout">Log out</a>')


async def logout(request):
    return PlainTextResponse("User logged out!")


app = Starlette(routes=[Route("/howdy", howdy), Route("/logout", logout)])
app.add_middleware(
    AuthenticationMiddleware,
    callback_url="{base_url}/kc/callback",
    login_redirect_uri="/howdy",
    logout_redirect_uri="/logout",
)
app.add_middleware(SessionMiddleware, secret_key="secret0123456789")
"""


@pytest.fixture
def client_env(keycloak: RunningKeycloak, monkeypatch: pytest.MonkeyPatch) -> None:
    """keycloak-client's `Client()` read its settings from the environment, as ours does."""
    monkeypatch.setenv("KEYCLOAK_SERVER_URL", keycloak.base_url)
    monkeypatch.setenv("KEYCLOAK_REALM", keycloak.realm)
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "sdk-confidential")
    monkeypatch.setenv("KEYCLOAK_CLIENT_SECRET", "sdk-confidential-secret")


def _app(source: str, base_url: str) -> Any:
    namespace: dict[str, Any] = {"__name__": "keycloak_client_example"}
    code = source.format(base_url=base_url)
    exec(compile(code, "<example>", "exec"), namespace)  # noqa: S102 (our own constant text)
    return namespace["app"]


def _log_in_read_the_session_and_log_out(
    browser: Any, base_url: str, landing: str, landing_text: str, name: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{base_url}/howdy")
        page.wait_for_selector("#username")  # Keycloak's own login page
        page.fill("#username", "alice")
        page.fill("#password", "alice-password")
        page.click("#kc-login")
        page.wait_for_url(f"{base_url}/howdy")
        text = page.inner_text("body")
        found = re.match(r"Howdy (\{.*\})", text)
        assert found, text
        user = json.loads(found.group(1))  # the JSON string the views read
        assert user["preferred_username"] == "alice"
        assert user["email"] == "alice@example.com"
        assert not {"nonce", "at_hash", "sid"} & set(user)  # the user, not the login

        page.click("a#logout")  # a plain link, as in keycloak-client's apps
        page.wait_for_url(f"{base_url}{landing}")
        assert landing_text in page.inner_text("body")
        page.goto(f"{base_url}/howdy")
        page.wait_for_selector("#username")  # logged out of the app and of Keycloak
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"keycloak-client-{name}.png"), full_page=True)
        raise
    finally:
        context.close()


def test_flask_example(client_env: None, browser: Any) -> None:
    port = free_port()
    app = _app(FLASK_EXAMPLE, f"http://127.0.0.1:{port}")
    with serve_wsgi(app, port) as url:
        _log_in_read_the_session_and_log_out(browser, url, "/logout", "User logged out!", "flask")


def test_starlette_example(client_env: None, browser: Any) -> None:
    port = free_port()
    app = _app(STARLETTE_EXAMPLE, f"http://127.0.0.1:{port}")
    with serve_asgi(app, port) as url:
        _log_in_read_the_session_and_log_out(
            browser, url, "/logout", "User logged out!", "starlette"
        )


@pytest.fixture(scope="module")
def django_url(keycloak: RunningKeycloak) -> Iterator[str]:
    """examples/django_app: Django's default middleware (sessions, CSRF) with Keycloak's
    last, and keycloak-client's settings names, as its example project has them."""
    port = free_port()
    wsgi, _engine = django_app(keycloak, port)
    with serve_wsgi(wsgi, port) as url:
        yield url


def test_django_example(django_url: str, browser: Any) -> None:
    _log_in_read_the_session_and_log_out(browser, django_url, "/", "Django example", "django")


def test_django_logout_post_needs_the_csrf_token(django_url: str) -> None:
    with httpx.Client(base_url=django_url, timeout=30) as app:
        assert browser_login(app, "/howdy", "alice", "alice-password").status_code == 302
        refused = app.post("/kc/logout", headers={"Origin": django_url})
        assert refused.status_code == 403  # Django's CSRF check: no token
        assert app.get("/howdy").status_code == 200
        home = app.get("/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
        assert token
        out = app.post(
            "/kc/logout",
            data={"csrfmiddlewaretoken": token.group(1)},
            headers={"Origin": django_url},
        )
        assert out.status_code == 303
        assert app.get("/howdy").status_code == 302
