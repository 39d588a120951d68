"""Each example app served on a real 127.0.0.1 port, against the real Keycloak."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from keycloak_sdk.extensions.web.engine import AuthEngine

from examples import example_settings
from tests.conftest import RunningKeycloak
from tests.integration.web._servers import free_port, serve_asgi, serve_wsgi

FRAMEWORKS = ("starlette", "fastapi", "flask", "django")


@dataclass
class ServedApp:
    framework: str
    base_url: str
    engine: AuthEngine

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)


# Django keeps one database configuration (and open connections) per process: one file it is.
_DJANGO_DIR = tempfile.TemporaryDirectory(prefix="kc-web-django-")


def _django_app(keycloak: RunningKeycloak, port: int) -> tuple[object, AuthEngine]:
    os.environ["KEYCLOAK_URL"] = keycloak.base_url
    os.environ["DJANGO_EXAMPLE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    os.environ["DJANGO_EXAMPLE_DB"] = os.path.join(_DJANGO_DIR.name, "db.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "examples.django_app.settings"
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from keycloak_sdk.extensions.django import _engine

    django.setup()
    # Settings are read once per process: point them at this run's Keycloak and port.
    settings.KEYCLOAK_SERVER_URL = keycloak.base_url
    settings.KEYCLOAK_CALLBACK_URL = f"http://127.0.0.1:{port}/kc/callback"
    _engine.reset()
    # In a thread: Playwright's sync API keeps an event loop in this one, which Django's ORM
    # refuses to run beside.
    migrate = threading.Thread(target=call_command, args=("migrate",), kwargs={"verbosity": 0})
    migrate.start()
    migrate.join()
    return get_wsgi_application(), _engine.get_engine()


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
        wsgi, engine = _django_app(keycloak, port)
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
