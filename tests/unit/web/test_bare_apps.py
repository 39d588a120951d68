"""The benchmark's bare apps route a request past the same routes as the examples do.

`make bench` compares each example app with a bare app of the same framework. Starlette,
FastAPI and Django try routes one by one, so a bare app with fewer routes ahead of /api/me
would make the middleware look slower than it is; one with more, faster. The SDK's own routes
(under /kc/) and the bare app's extra DRF baseline (/api/open) are the only differences.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import bare_apps
from tests.hostile.apps import build_app

PROVIDER = "http://127.0.0.1:9"  # never contacted: building an app makes no request


def _check() -> bare_apps.BareBearerCheck:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return bare_apps.BareBearerCheck(key.public_key(), PROVIDER)


def _asgi_paths(app: Any) -> list[str]:
    return [str(route.path) for route in app.routes]


def _flask_paths(app: Any) -> list[str]:
    return [
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    ]


def _django_paths(urlconf: str) -> list[str]:
    from importlib import import_module

    patterns = import_module(urlconf).urlpatterns
    return ["/" + str(p.pattern).replace("<str:", "{").replace(">", "}") for p in patterns]


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_asgi_bare_apps_have_the_example_routes_in_order(framework: str) -> None:
    example = build_app(framework, PROVIDER, "http://127.0.0.1:8765")
    bare = getattr(bare_apps, f"{framework}_app")(_check())
    assert _asgi_paths(bare) == _asgi_paths(example)
    assert _asgi_paths(bare).index("/api/me") > 0


def test_flask_bare_app_has_the_example_routes() -> None:
    example = build_app("flask", PROVIDER, "http://127.0.0.1:8765")
    bare = bare_apps.flask_app(_check())
    ours = [path for path in _flask_paths(example) if not path.startswith("/kc/")]
    assert _flask_paths(bare) == ours
    assert ours  # the example's routes, not an empty comparison


def test_django_bare_app_has_the_example_routes_in_order() -> None:
    build_app("django", PROVIDER, "http://127.0.0.1:8765")
    bare_apps.django_app(_check())
    ours = [path for path in _django_paths("examples.django_app.urls") if path != "/kc/"]
    theirs = _django_paths(bare_apps.__name__)
    theirs.remove("/api/open")
    assert theirs == ours
    assert _django_paths(bare_apps.__name__).index("/api/open") == ours.index("/api/me") + 1
