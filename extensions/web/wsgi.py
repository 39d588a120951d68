"""A WSGI middleware around `AuthEngine` (used by the Flask integration)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions.web.engine import AuthEngine, Proceed, WebRequest, WebResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

IDENTITY_KEY = "keycloak.identity"
USER_KEY = "keycloak.user"


# Headers that a WSGI server (and Django's META) keeps without the HTTP_ prefix.
_UNPREFIXED = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


class EnvironHeaders(Mapping[str, str]):
    """The request headers of a WSGI environ (or of Django's `request.META`) by lower-case
    name, looked up in place: a request costs no dict of all its headers."""

    __slots__ = ("_environ",)

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self._environ = environ

    @staticmethod
    def _key(name: str) -> str | None:
        unprefixed = _UNPREFIXED.get(name)
        if unprefixed is not None:
            return unprefixed
        if "_" in name or name != name.lower():
            return None  # no header name maps to it (underscores are dashes in the environ)
        return "HTTP_" + name.upper().replace("-", "_")

    def __getitem__(self, name: str) -> str:
        key = self._key(name)
        value = None if key is None else self._environ.get(key)
        if value is None or (value == "" and key in _UNPREFIXED.values()):
            raise KeyError(name)
        return str(value)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def _names(self) -> list[str]:
        names = [
            key[5:].replace("_", "-").lower()
            for key in self._environ
            if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH")
        ]
        names.extend(name for name, key in _UNPREFIXED.items() if self._environ.get(key))
        return names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def wsgi_request(environ: WSGIEnvironment) -> WebRequest:
    headers = EnvironHeaders(environ)
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
        authorization = environ.get("HTTP_AUTHORIZATION")
        outcome: WebResponse | Proceed | None = None
        if authorization and path.isascii() and not environ.get("HTTP_COOKIE"):
            # The common API call (one bearer header, no cookie): answered without building
            # a `WebRequest` or driving the engine when no I/O is needed (every check runs).
            method = str(environ.get("REQUEST_METHOD", "GET")).upper()
            query = str(environ.get("QUERY_STRING", ""))
            outcome = self.engine.bearer_now(method, path, authorization, query, blocking=True)
        if outcome is None:
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
