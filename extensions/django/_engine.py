"""The process-wide engine built from Django settings, and request/response conversion."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from keycloak_sdk.extensions.errors import ConfigurationError
from keycloak_sdk.extensions.web.engine import AuthEngine, Outcome, WebRequest, WebResponse
from keycloak_sdk.extensions.web.settings import WebSettings
from keycloak_sdk.extensions.web.wsgi import EnvironHeaders

_lock = threading.Lock()
_state: dict[str, Any] = {}
# What other modules derive from the settings once per engine (forgotten with it).
_on_reset: list[Callable[[], None]] = []


def get_engine() -> AuthEngine:
    engine = _state.get("engine")
    if engine is not None:  # built once per process: no lock on every request
        assert isinstance(engine, AuthEngine)
        return engine
    with _lock:
        engine = _state.get("engine")
        if engine is None:
            values = {
                name: getattr(settings, name)
                for name in dir(settings)
                if name.startswith("KEYCLOAK_")
            }
            store = values.get("KEYCLOAK_SESSION_STORE")
            if isinstance(store, str):
                values["KEYCLOAK_SESSION_STORE"] = session_store(store)
            secret = values.get("KEYCLOAK_COOKIE_SECRET") or settings.SECRET_KEY
            engine = AuthEngine(WebSettings.from_mapping(values, secret_key=str(secret)))
            _state["engine"] = engine
        assert isinstance(engine, AuthEngine)
        return engine


def session_store(name: str) -> object:
    """`KEYCLOAK_SESSION_STORE` as Django names backends: a dotted path to a store class (made
    without arguments), or "django" for `DjangoSessionStore` on `SESSION_ENGINE`."""
    from django.utils.module_loading import import_string

    if name == "django":
        name = "keycloak_sdk.extensions.django.sessions.DjangoSessionStore"
    try:
        factory = import_string(name)
    except ImportError as exc:
        raise ConfigurationError("KEYCLOAK_SESSION_STORE", f"cannot import {name!r}") from exc
    return factory()


def on_reset(forget: Callable[[], None]) -> None:
    """Call `forget` whenever the engine is forgotten (`reset()`): values read from the
    settings once per engine are read again with the next one."""
    _on_reset.append(forget)


def reset() -> None:
    """Forget the engine (tests that change settings)."""
    with _lock:
        _state.clear()
    for forget in _on_reset:
        forget()


def run(engine: AuthEngine, incoming: WebRequest, body: bytes) -> Outcome:
    """The engine in the request's own thread (sync core client, blocking session store)."""
    return engine.handle_sync(incoming, body)


def csrf_installed() -> bool:
    return "django.middleware.csrf.CsrfViewMiddleware" in getattr(settings, "MIDDLEWARE", ())


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's own CSRF check (token and Origin), as for a view, when the app uses it."""
    if not csrf_installed():
        return None
    from django.middleware.csrf import CsrfViewMiddleware

    def logout_view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("never called")  # pragma: no cover

    checker = CsrfViewMiddleware(logout_view)
    checker.process_request(request)
    return checker.process_view(request, logout_view, (), {})


def web_request(request: HttpRequest, path: str | None = None) -> WebRequest:
    # Looked up in META when asked for (what `request.headers` would parse into a map).
    headers = EnvironHeaders(request.META)
    try:
        host = request.get_host()
    except DisallowedHost:
        host = "invalid.invalid"
    path = path or request.path
    csrf_field = None
    if request.method == "GET" and path == get_engine().config.logout_path and csrf_installed():
        from django.middleware.csrf import get_token

        csrf_field = ("csrfmiddlewaretoken", get_token(request))
    return WebRequest(
        method=(request.method or "GET").upper(),
        path=path,
        query_string=request.META.get("QUERY_STRING", ""),
        headers=headers,
        scheme=request.scheme or "http",
        host=host,
        cookies=request.COOKIES,
        csrf_field=csrf_field,
    )


def http_response(response: WebResponse) -> HttpResponse:
    answer = HttpResponse(response.body, status=response.status)
    cookies = []
    for name, value in response.headers:
        if name == "set-cookie":
            cookies.append(value)
        else:
            answer[name] = value
    if cookies:
        # Django emits `Set-Cookie` headers through `response.cookies`; the engine's are
        # already formatted, so they go in as raw morsels of that jar.
        for raw in cookies:
            name, _, rest = raw.partition("=")
            value, _, attributes = rest.partition(";")
            answer.set_cookie(name, value)
            _apply_attributes(answer, name, attributes)
    return answer


def _apply_attributes(answer: HttpResponse, name: str, attributes: str) -> None:
    morsel = answer.cookies[name]
    for attribute in attributes.split(";"):
        key, _, value = attribute.strip().partition("=")
        key = key.lower()
        if key in ("path", "max-age", "samesite"):
            morsel[key] = value
        elif key in ("httponly", "secure"):
            morsel[key] = True
