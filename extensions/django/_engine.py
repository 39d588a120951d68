"""The process-wide engine built from Django settings, and request/response conversion."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from keycloak_sdk.extensions.web.engine import AuthEngine, WebRequest, WebResponse
from keycloak_sdk.extensions.web.portal import LoopThread
from keycloak_sdk.extensions.web.settings import config_from_mapping

_lock = threading.Lock()
_state: dict[str, Any] = {}


def get_engine() -> AuthEngine:
    with _lock:
        engine = _state.get("engine")
        if engine is None:
            values = {
                name: getattr(settings, name)
                for name in dir(settings)
                if name.startswith("KEYCLOAK_")
            }
            secret = values.get("KEYCLOAK_COOKIE_SECRET") or settings.SECRET_KEY
            engine = AuthEngine(config_from_mapping(values, secret_key=str(secret)))
            _state["engine"] = engine
            _state["runner"] = LoopThread(timeout=engine.config.settings.timeout * 3)
        assert isinstance(engine, AuthEngine)
        return engine


def get_runner() -> LoopThread:
    get_engine()
    runner = _state["runner"]
    assert isinstance(runner, LoopThread)
    return runner


def reset() -> None:
    """Forget the engine (tests that change settings)."""
    with _lock:
        _state.clear()


def web_request(request: HttpRequest, path: str | None = None) -> WebRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        host = request.get_host()
    except DisallowedHost:
        host = "invalid.invalid"
    return WebRequest(
        method=(request.method or "GET").upper(),
        path=path or request.path,
        query_string=request.META.get("QUERY_STRING", ""),
        headers=headers,
        scheme=request.scheme or "http",
        host=host,
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
        # The engine sets at most one cookie per response; Django emits this header verbatim
        # next to its own `response.cookies`.
        answer.headers["Set-Cookie"] = cookies[-1]
    return answer
