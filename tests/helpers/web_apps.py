"""The example apps served to the web integration tests: what the `served` fixture yields and
how the Django example is set up in this process."""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass

import httpx
from keycloak_sdk.extensions.web.engine import AuthEngine

from tests.helpers.keycloak import RunningKeycloak


@dataclass
class ServedApp:
    framework: str
    base_url: str
    engine: AuthEngine

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)


# Django keeps one database configuration (and open connections) per process: one file it is.
_DJANGO_DIR = tempfile.TemporaryDirectory(prefix="kc-web-django-")


def django_app(keycloak: RunningKeycloak, port: int) -> tuple[object, AuthEngine]:
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
