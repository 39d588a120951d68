"""Each example app served on a real 127.0.0.1 port, against the real Keycloak."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from examples import example_settings
from tests.helpers.keycloak import RunningKeycloak
from tests.helpers.web_apps import ServedApp, django_app
from tests.integration.web._servers import free_port, serve_asgi, serve_wsgi

FRAMEWORKS = ("starlette", "fastapi", "flask", "django")


@pytest.fixture(scope="module", params=FRAMEWORKS)
def served(request: pytest.FixtureRequest, keycloak: RunningKeycloak) -> Iterator[ServedApp]:
    framework: str = request.param
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    settings = example_settings(keycloak.base_url)
    if framework == "starlette":
        from examples.starlette_app.app import create_app as create_starlette

        app = create_starlette(settings, public_url=public_url)
        with serve_asgi(app, port) as url:
            yield ServedApp(framework, url, app.state.keycloak)
    elif framework == "fastapi":
        from examples.fastapi_app.app import create_app as create_fastapi

        fast = create_fastapi(settings, public_url=public_url)
        with serve_asgi(fast, port) as url:
            yield ServedApp(framework, url, fast.state.keycloak)
    elif framework == "flask":
        from examples.flask_app.app import create_app as create_flask

        flask_app = create_flask(settings, public_url=public_url)
        engine = flask_app.extensions["keycloak"].engine
        with serve_wsgi(flask_app, port) as url:
            yield ServedApp(framework, url, engine)
    else:
        wsgi, engine = django_app(keycloak, port)
        with serve_wsgi(wsgi, port) as url:
            yield ServedApp(framework, url, engine)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        _missing("no Chromium executable (apt-get install chromium; `make setup` does it as root)")
    assert path is not None
    return path


def _missing(why: str) -> None:
    # CI installs the browser, so a missing one there is a broken setup, never a skip.
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright import sync_api
    except ImportError:
        _missing("playwright is not installed (it is in the test dependency group)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
