"""The example apps configured from the environment, for servers that run several workers.

Each worker process builds its own app from the same settings, so they must share:

- `EXAMPLE_SECRET_KEY` (Django: `DJANGO_SECRET_KEY`): seals the session and login cookies;
- `KEYCLOAK_REDIS_URL`: where logged-in sessions live (one worker logs in, any serves);
- `KEYCLOAK_URL` and `EXAMPLE_PUBLIC_URL` (where Keycloak and this app are reached).

    gunicorn -w 4 'examples.workers:flask_app()'
    gunicorn -w 4 'examples.workers:django_app()'
    uvicorn --workers 4 --factory examples.workers:starlette_app

`python -m examples.serve` starts these with Redis and Keycloak (`make example-flask WORKERS=4`).
"""

from __future__ import annotations

import os
from typing import Any

from examples import example_settings


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            f"{name} must be set for a multi-worker example (see examples/workers.py)"
        )
    return value


def _store() -> Any:
    from keycloak_sdk.extensions.web.redis_store import RedisSessionStore

    return RedisSessionStore(_env("KEYCLOAK_REDIS_URL"))


def flask_app() -> Any:
    from examples.flask_app.app import create_app

    # KeycloakFlask reads KEYCLOAK_REDIS_URL itself.
    return create_app(
        example_settings(_env("KEYCLOAK_URL")),
        public_url=_env("EXAMPLE_PUBLIC_URL"),
        secret_key=_env("EXAMPLE_SECRET_KEY"),
    )


def starlette_app() -> Any:
    from examples.starlette_app.app import create_app

    return create_app(
        example_settings(_env("KEYCLOAK_URL")),
        public_url=_env("EXAMPLE_PUBLIC_URL"),
        secret_key=_env("EXAMPLE_SECRET_KEY"),
        session_store=_store(),
    )


def fastapi_app() -> Any:
    from examples.fastapi_app.app import create_app

    return create_app(
        example_settings(_env("KEYCLOAK_URL")),
        public_url=_env("EXAMPLE_PUBLIC_URL"),
        secret_key=_env("EXAMPLE_SECRET_KEY"),
        session_store=_store(),
    )


def django_app() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_app.settings")
    os.environ.setdefault("DJANGO_EXAMPLE_PUBLIC_URL", _env("EXAMPLE_PUBLIC_URL"))
    _env("DJANGO_SECRET_KEY")
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
