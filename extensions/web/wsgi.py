"""A WSGI middleware around `AuthEngine` (used by the Flask integration)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions.web.engine import AuthEngine, Proceed, WebRequest, WebResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

IDENTITY_KEY = "keycloak.identity"
USER_KEY = "keycloak.user"


def wsgi_request(environ: WSGIEnvironment) -> WebRequest:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if "CONTENT_TYPE" in environ:
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    path = str(environ.get("PATH_INFO", "") or "/")
    # PEP 3333 hands PATH_INFO over as latin-1 decoded bytes; restore the UTF-8 text.
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        path = path.encode("latin-1").decode("utf-8")
    host = (
        headers.get("host")
        or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    )
    return WebRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=path,
        query_string=str(environ.get("QUERY_STRING", "")),
        headers=headers,
        scheme=str(environ.get("wsgi.url_scheme", "http")),
        host=host,
        cookies=_parse_cookies(headers.get("cookie")),
    )


def _parse_cookies(header: str | None) -> dict[str, str] | None:
    """Werkzeug's parse of the Cookie header (what Flask's `request.cookies` holds)."""
    if not header:
        return {}
    try:
        from werkzeug.http import parse_cookie
    except ImportError:  # a WSGI app without Werkzeug: the engine's own parser
        return None
    return dict(parse_cookie(header))


def read_wsgi_body(environ: WSGIEnvironment, limit: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body: bytes = stream.read(min(length, limit)) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def send_wsgi(response: WebResponse, start_response: StartResponse) -> Iterable[bytes]:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [*response.headers, ("content-length", str(len(response.body)))]
    start_response(f"{response.status} {reason}", headers)
    return [response.body]


class KeycloakWSGIMiddleware:
    """Runs the engine in the request's own thread, with the blocking gateway and store."""

    def __init__(self, app: WSGIApplication, engine: AuthEngine) -> None:
        self.app = app
        engine.require_public_url()
        self.engine = engine

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.isascii() and self.engine.passes_untouched(path, environ.get("HTTP_COOKIE")):
            environ[IDENTITY_KEY] = None
            environ[USER_KEY] = None
            return self.app(environ, start_response)
        request = wsgi_request(environ)
        body = b""
        if request.path == self.engine.config.backchannel_logout_path:
            body = read_wsgi_body(environ, 64 * 1024 + 1)
        outcome = self.engine.handle_sync(request, body)
        if isinstance(outcome, WebResponse):
            return send_wsgi(outcome, start_response)
        assert isinstance(outcome, Proceed)
        environ[IDENTITY_KEY] = outcome.identity
        environ[USER_KEY] = outcome.user
        return self.app(environ, start_response)


WsgiCallable = Callable[..., Any]
