"""The example applications (examples/*_app) built against a provider, as httpx clients.

Flask and Django run in-process through WSGI, Starlette and FastAPI through Starlette's
TestClient (ASGI); all four are driven with the same httpx API and cookie jar.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from keycloak_sdk.extensions.settings import ClientSettings

from examples import example_settings

FRAMEWORKS = ("flask", "starlette", "fastapi", "django")
PUBLIC_URL = "http://127.0.0.1:8765"

_DJANGO_DIR = tempfile.TemporaryDirectory(prefix="kc-hostile-django-")
_django_ready = threading.Lock()
_django_migrated: set[str] = set()


def _django_wsgi(settings: ClientSettings, public_url: str) -> object:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
    os.environ.setdefault("DJANGO_EXAMPLE_DB", os.path.join(_DJANGO_DIR.name, "db.sqlite3"))
    import django
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from keycloak_sdk.extensions.django import _engine

    with _django_ready:
        django.setup()
        django_settings.KEYCLOAK_SERVER_URL = settings.server_url
        django_settings.KEYCLOAK_CALLBACK_URL = f"{public_url}/kc/callback"
        django_settings.KEYCLOAK_TIMEOUT = settings.timeout
        # Settings are read once per process into one engine: rebuild it for this provider.
        _engine.reset()
        database = str(django_settings.DATABASES["default"]["NAME"])
        if database not in _django_migrated:
            call_command("migrate", verbosity=0)
            _django_migrated.add(database)
    return get_wsgi_application()


def build_app(framework: str, base_url: str, public_url: str, timeout: float = 10.0) -> Any:
    """The example app of `framework` (an ASGI or WSGI callable) trusting `base_url`."""
    settings = example_settings(base_url).with_overrides(timeout=timeout)
    if framework == "starlette":
        from examples.starlette_app.app import create_app as create_starlette

        return create_starlette(settings, public_url=public_url)
    if framework == "fastapi":
        from examples.fastapi_app.app import create_app as create_fastapi

        return create_fastapi(settings, public_url=public_url)
    if framework == "flask":
        from examples.flask_app.app import create_app as create_flask

        # The example copies no timeout into app.config; the integration reads the rest of
        # the client settings from KEYCLOAK_* variables.
        saved = os.environ.get("KEYCLOAK_TIMEOUT")
        os.environ["KEYCLOAK_TIMEOUT"] = str(settings.timeout)
        try:
            return create_flask(settings, public_url=public_url)
        finally:
            if saved is None:
                del os.environ["KEYCLOAK_TIMEOUT"]
            else:
                os.environ["KEYCLOAK_TIMEOUT"] = saved
    return _django_wsgi(settings, public_url)


def is_asgi(framework: str) -> bool:
    return framework in ("starlette", "fastapi")


@contextmanager
def example_client(
    framework: str, base_url: str, *, public_url: str = PUBLIC_URL, timeout: float = 10.0
) -> Iterator[httpx.Client]:
    """An httpx client talking to the example app of `framework`, which trusts `base_url`."""
    app = build_app(framework, base_url, public_url, timeout)
    if is_asgi(framework):
        from starlette.testclient import TestClient

        with TestClient(
            app, base_url=public_url, raise_server_exceptions=False, follow_redirects=False
        ) as client:
            yield client
        return
    transport = httpx.WSGITransport(app=app, raise_app_exceptions=False)
    with httpx.Client(transport=transport, base_url=public_url) as client:
        yield client


def browser_login(client: httpx.Client, provider_http: httpx.Client) -> httpx.Response:
    """GET a protected page, follow the login redirect through the provider, and return the
    app's answer to the callback."""
    start = client.get("/profile")
    assert start.status_code == 302, start.status_code
    at_provider = provider_http.get(start.headers["location"])
    assert at_provider.status_code == 302, at_provider.status_code
    callback = httpx.URL(at_provider.headers["location"])
    return client.get(callback.raw_path.decode("ascii"))
