"""What every generated operation needs at run time: one place for HTTP, auth and errors.

Generated code describes an operation as data: an `Endpoint` (what the spec says: HTTP method,
discovery key and path, expected statuses, error style, client authentication) and, per call,
a `Call` (the arguments, encoded). Everything else lives here, written once and sans-IO where
possible: `prepare` turns a `Call` into a request, `finish` turns the response into the typed
result or a typed error. `keycloak_sdk._clients` adds the I/O (transports, client bases).

Each operation is written once, as a builder function returning a `Call`; `sync_method`,
`async_method` and `url_method` turn that builder into the method of a resource class with the
builder's exact signature (ParamSpec), so sync and async clients cannot drift apart.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    Protocol,
    TypeVar,
)
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from keycloak_sdk._errors import (
    ApiError,
    DiscoveryError,
    EndpointNotAdvertisedError,
    KeycloakError,
    OAuthError,
    RequestTimeoutError,
    TransportError,
    UnexpectedResponseError,
)
from keycloak_sdk.auth import (
    ClientAuthentication,
    FormData,
)

if TYPE_CHECKING:
    import httpx


# httpx (and asyncio) are imported when the first client is made, not when keycloak_sdk is:
# `from keycloak_sdk import KeycloakClient` stays cheap.

ErrorStyle = Literal["oauth", "status"]
T = TypeVar("T")
P = ParamSpec("P")

Value = str | list[str]


# --- what the spec says about an operation ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation as the spec describes it, independent of the arguments."""

    method: str
    #: Path below the base URL, with `{name}` placeholders for path parameters.
    path: str
    expected: tuple[int, ...]
    #: The discovery key whose URL is the base; `None`: the server root (`.../realms/` cut off).
    key: str | None = None
    #: The discovery document that holds `key` (empty: the client's primary document).
    document: str = ""
    errors: ErrorStyle = "oauth"
    client_auth: bool = False
    retry: bool = False
    accept: str = "application/json"
    #: Set on the operation that fetches the named discovery document itself.
    loads_document: str = ""


_NO_BODY: Any = object()


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One invocation of an `Endpoint`: encoded arguments and how to read the answer."""

    endpoint: Endpoint
    parse: Callable[[httpx.Response], T]
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Value | None] = field(default_factory=dict)
    form: Mapping[str, Value | None] | None = None
    json: Any = _NO_BODY
    # Tokens never appear in a repr.
    bearer: str | None = field(default=None, repr=False)
    #: Fields the client fills from its own configuration (`client_id`).
    client_fields: tuple[str, ...] = ()
    #: A raw body (bytes) and its media type, for bodies that are neither form nor JSON.
    content: bytes | None = None
    content_type: str = ""
    #: Path parameters the client fills: wire name → client attribute (`{"realm": "realm"}`).
    client_path: Mapping[str, str] = field(default_factory=dict)


# --- encoding arguments ----------------------------------------------------------------------


def text(value: str | int | bool | None) -> str | None:
    """A scalar as form/query text: booleans as `true`/`false`, None stays None (omitted)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def spaced(value: str | Sequence[str] | None) -> str | None:
    """An OAuth space-delimited list (`scope`, `prompt`, ...): one string or a sequence."""
    if value is None or isinstance(value, str):
        return value
    return " ".join(value)


def as_json(value: str | Mapping[str, Any] | None) -> str | None:
    """A parameter carried as JSON text (`claims`): a string as-is, a mapping serialized."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def repeated(value: Sequence[str] | None) -> list[str] | None:
    """A repeatable field (`permission=a&permission=b`); an empty sequence is omitted."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value) or None


def segment(value: str) -> str:
    """A path parameter, percent-encoded; an empty one would address the collection instead."""
    if not value:
        raise ValueError("a path parameter (id) is required")
    return quote(value, safe="")


def token(value: str) -> str:
    """A bearer token argument; refuse an empty one before sending anything."""
    if not value:
        raise ValueError("an access token is required")
    return value


class ToDict(Protocol):
    """A model that serializes itself (every generated wire model)."""

    def to_dict(self) -> dict[str, Any]: ...


_ToDict = ToDict


def plain_json(value: Mapping[str, Any] | Sequence[str]) -> Any:
    """A JSON body that is a plain mapping or list of strings (no model describes it)."""
    return dict(value) if isinstance(value, Mapping) else list(value)


def text_body(value: str) -> bytes:
    """A `text/plain` body."""
    return value.encode("utf-8")


def json_text_body(value: str | Mapping[str, Any] | ToDict) -> bytes:
    """A body the server reads as raw JSON text: a model or mapping is serialized, text sent
    as is (Keycloak reads some bodies, e.g. an organization member's id, as plain text)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    data = value if isinstance(value, Mapping) else value.to_dict()
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def json_body(value: _ToDict | Sequence[_ToDict], *, min_items: int = 0) -> Any:
    """A request model (or a list of them) as JSON."""
    if isinstance(value, Sequence):
        if len(value) < min_items:
            raise ValueError(f"at least {min_items} item(s) are needed")
        return [item.to_dict() for item in value]
    return value.to_dict()


# --- reading answers -------------------------------------------------------------------------


def content_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";", 1)[0].strip().lower() if value else None


def _body_json(response: httpx.Response) -> Any:
    if content_type(response) == "application/jwt":
        raise UnexpectedResponseError(
            response.status_code,
            "the server answered a signed JWT (application/jwt) where JSON was expected",
            "application/jwt",
        )
    try:
        return response.json()
    except ValueError as exc:
        raise UnexpectedResponseError(
            response.status_code, "the body is not JSON", content_type(response)
        ) from exc


def _mismatch(response: httpx.Response, exc: Exception) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        response.status_code, f"the body does not match the spec ({type(exc).__name__})"
    )


Factory = Callable[[Mapping[str, Any]], T]


def _factory(model: str | Factory[T], module: str = "") -> Factory[T]:
    if callable(model):
        return model
    # A name in keycloak_sdk.models (or `module`), imported on first use: attrs and pydantic
    # cost nothing before.
    import importlib

    models = importlib.import_module(module or "keycloak_sdk.models")
    factory: Factory[T] = getattr(models, model).from_dict
    return factory


def model(name: str | Factory[T], module: str = "") -> Callable[[httpx.Response], T]:
    """Read a JSON object into a model of `keycloak_sdk.models` (by name, or its factory)."""

    def parse(response: httpx.Response) -> T:
        factory = _factory(name, module)
        data = _body_json(response)
        if not isinstance(data, Mapping):
            raise UnexpectedResponseError(
                response.status_code, "expected a JSON object", content_type(response)
            )
        try:
            return factory(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise _mismatch(response, exc) from exc

    return parse


def model_list(name: str | Factory[T], module: str = "") -> Callable[[httpx.Response], list[T]]:
    """Read a JSON array of objects into models of `keycloak_sdk.models` (or `module`)."""

    def parse(response: httpx.Response) -> list[T]:
        factory = _factory(name, module)
        data = _body_json(response)
        if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
            raise UnexpectedResponseError(response.status_code, "expected a JSON array of objects")
        try:
            return [factory(item) for item in data]
        except (KeyError, TypeError, ValueError) as exc:
            raise _mismatch(response, exc) from exc

    return parse


def strings(response: httpx.Response) -> list[str]:
    """Read a JSON array of strings."""
    data = _body_json(response)
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise UnexpectedResponseError(response.status_code, "expected a JSON array of strings")
    return list(data)


def json_object(response: httpx.Response) -> dict[str, Any]:
    """Read a free-form JSON object (a map no model describes)."""
    data = _body_json(response)
    if not isinstance(data, dict):
        raise UnexpectedResponseError(response.status_code, "expected a JSON object")
    return data


def json_objects(response: httpx.Response) -> list[dict[str, Any]]:
    """Read a JSON array of free-form objects."""
    data = _body_json(response)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnexpectedResponseError(response.status_code, "expected a JSON array of objects")
    return data


S = TypeVar("S", int, bool, str)


def json_scalar(kind: type[S]) -> Callable[[httpx.Response], S]:
    """Read a JSON number, boolean or string."""

    def parse(response: httpx.Response) -> S:
        data = _body_json(response)
        # bool is an int in Python; a count must not accept `true`.
        if type(data) is not kind:
            raise UnexpectedResponseError(response.status_code, f"expected a JSON {kind.__name__}")
        return data

    return parse


def plain_text(response: httpx.Response) -> str:
    """Read a `text/plain` answer."""
    return response.text


def binary(response: httpx.Response) -> bytes:
    """Read an answer's bytes (`application/octet-stream`)."""
    return response.content


def created_id(response: httpx.Response) -> str | None:
    """The id of what a `201 Created` made: the last segment of its Location header."""
    location = response.headers.get("location")
    if not location:
        return None
    return urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1] or None


def jwt(response: httpx.Response) -> str:
    """Read an `application/jwt` answer: the compact JWT, to verify with the realm keys."""
    if content_type(response) != "application/jwt":
        raise UnexpectedResponseError(
            response.status_code,
            "expected a signed JWT (application/jwt); the client is configured for JSON",
            content_type(response),
        )
    return response.text.strip()


def model_or_jwt(name: str | Factory[T], module: str = "") -> Callable[[httpx.Response], T | str]:
    """Read whichever form the server chose: a model for JSON, the compact JWT otherwise."""
    as_model = model(name, module)

    def parse(response: httpx.Response) -> T | str:
        if content_type(response) == "application/jwt":
            return jwt(response)
        return as_model(response)

    return parse


def nothing(response: httpx.Response) -> None:
    """An answer without a body."""
    return None


def not_sent(response: httpx.Response) -> str:
    """The reader of an operation the SDK renders as a URL: it never has an answer."""
    raise UnexpectedResponseError(response.status_code, "this operation is a URL, not a call")


@dataclass(frozen=True, slots=True)
class RawResponse:
    """An answer's bytes with what a cache needs (Cache-Control, ETag)."""

    content: bytes = field(repr=False)
    cache_control: str | None
    etag: str | None

    def max_age(self) -> int | None:
        """`max-age` from Cache-Control, if the server sent one."""
        for directive in (self.cache_control or "").split(","):
            name, _, value = directive.strip().partition("=")
            if name.lower() == "max-age" and value.strip().isdigit():
                return int(value.strip())
        return None

    def json(self) -> Any:
        """The body parsed as JSON."""
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise UnexpectedResponseError(200, "the body is not JSON") from exc


def raw(response: httpx.Response) -> RawResponse:
    """Keep the bytes and caching headers (e.g. a JWK Set a cache stores as received)."""
    return RawResponse(
        content=response.content,
        cache_control=response.headers.get("cache-control"),
        etag=response.headers.get("etag"),
    )


# --- status and error mapping ----------------------------------------------------------------


def failure(response: httpx.Response, style: ErrorStyle) -> KeycloakError:
    """The typed error for a non-success answer."""
    headers = dict(response.headers)
    parsed = OAuthError.parse(response.content, headers)
    if style == "oauth":
        if parsed is None:
            return UnexpectedResponseError(
                response.status_code, "no OAuth error in the body", content_type(response)
            )
        return OAuthError.from_response(response.status_code, response.content, headers)
    error, description, _uri = parsed if parsed is not None else (None, None, None)
    if description is None:
        description = _error_message(response)
    return ApiError.for_status(
        response.status_code, error, description, response.headers.get("www-authenticate")
    )


def _error_message(response: httpx.Response) -> str | None:
    # Keycloak's admin API answers {"errorMessage": "User exists with same username"}.
    try:
        data = json.loads(response.content) if response.content else None
    except ValueError:
        return None
    if isinstance(data, Mapping):
        message = data.get("errorMessage") or data.get("error_description")
        return message if isinstance(message, str) else None
    return None


def check(response: httpx.Response, expected: Sequence[int], style: ErrorStyle) -> None:
    if response.status_code in expected:
        return
    if 200 <= response.status_code < 300:
        raise UnexpectedResponseError(
            response.status_code, f"expected HTTP {list(expected)}", content_type(response)
        )
    raise failure(response, style)


def _redacted(url: httpx.URL | str) -> str:
    # Query strings may carry codes or hints; never put them in an error message.
    parts = urlsplit(str(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def transport_error(exc: httpx.HTTPError, method: str, url: str) -> TransportError:
    import httpx

    where = f"{method} {_redacted(url)}"
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"timed out: {where}")
    return TransportError(f"{type(exc).__name__} during {where}")


def check_issuer(expected: str, advertised: object) -> None:
    # OpenID Connect Discovery §4.3: the advertised issuer must be the one we asked for.
    if not isinstance(advertised, str) or advertised.rstrip("/") != expected.rstrip("/"):
        raise DiscoveryError(
            f"discovery of {expected!r} advertises issuer {advertised!r}; refusing to use it"
        )


# --- sans-IO request preparation --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """What to send; the transports turn it into an httpx request."""

    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, Value] | None = None
    data: FormData | None = None
    json: Any = None
    retry: bool = False
    content: bytes | None = None


def server_root(issuer: str) -> str:
    """The server's base URL: the issuer without `/realms/<realm>`."""
    base, sep, _realm = issuer.rstrip("/").rpartition("/realms/")
    return base if sep else issuer.rstrip("/")


def _present(values: Mapping[str, Value | None]) -> dict[str, Value]:
    return {k: v for k, v in values.items() if v is not None}


def _with_query(url: str, query: Mapping[str, Value]) -> str:
    if not query:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(query, doseq=True)}"


class _Core(Protocol):
    """What `prepare` needs from a client."""

    @property
    def client_id(self) -> str: ...

    @property
    def issuer(self) -> str: ...

    def _auth_for(self) -> ClientAuthentication: ...


def _base_url(documents: Mapping[str, Mapping[str, Any]], issuer: str, endpoint: Endpoint) -> str:
    if endpoint.key is None:
        return server_root(issuer)
    if endpoint.key == "issuer":
        return issuer.rstrip("/")
    value = documents[endpoint.document].get(endpoint.key)
    if not isinstance(value, str) or not value:
        raise EndpointNotAdvertisedError(endpoint.key)
    return value


def url_of(
    call: Call[Any],
    documents: Mapping[str, Mapping[str, Any]],
    issuer: str,
    core: object = None,
) -> str:
    path = call.endpoint.path
    from_client = {name: segment(getattr(core, attr)) for name, attr in call.client_path.items()}
    for name, value in {**from_client, **call.path_params}.items():
        path = path.replace("{" + name + "}", value)
    return _base_url(documents, issuer, call.endpoint) + path


def prepare(
    call: Call[Any],
    documents: Mapping[str, Mapping[str, Any]],
    core: _Core,
) -> Request:
    endpoint = call.endpoint
    url = url_of(call, documents, core.issuer, core)
    headers = {"Accept": endpoint.accept}
    if call.content is not None:
        headers["Content-Type"] = call.content_type
    own = dict.fromkeys(call.client_fields, core.client_id)
    data: FormData | None = None
    if call.form is not None:
        data = _present({**call.form, **own})
        params = _present(call.query)
    else:
        params = _present({**call.query, **own})
    if call.bearer is not None:
        headers["Authorization"] = f"Bearer {call.bearer}"
    elif endpoint.client_auth:
        form = data if data is not None else {}
        core._auth_for().apply(url, form, headers)
        data = form if (form or call.form is not None) else None
    return Request(
        method=endpoint.method,
        url=url,
        headers=headers,
        params=params or None,
        data=data,
        json=None if call.json is _NO_BODY else call.json,
        retry=endpoint.retry,
        content=call.content,
    )


def build_url(call: Call[Any], documents: Mapping[str, Mapping[str, Any]], core: _Core) -> str:
    """The URL of an operation the SDK renders for a browser instead of sending."""
    own = dict.fromkeys(call.client_fields, core.client_id)
    url = url_of(call, documents, core.issuer, core)
    return _with_query(url, _present({**own, **call.query}))


def finish(call: Call[T], response: httpx.Response) -> T:
    endpoint = call.endpoint
    if endpoint.loads_document and response.status_code == 404:
        raise EndpointNotAdvertisedError(endpoint.loads_document)
    check(response, endpoint.expected, endpoint.errors)
    return call.parse(response)


# --- resources: operations as methods -----------------------------------------------------------


class _SyncSender(Protocol):
    """What a resource needs from its client (`keycloak_sdk._clients.SyncClientBase`)."""

    def _send(self, call: Call[T]) -> T: ...

    def _url(self, call: Call[str]) -> str: ...


class _AsyncSender(Protocol):
    """What a resource needs from its client (`keycloak_sdk._clients.AsyncClientBase`)."""

    async def _send(self, call: Call[T]) -> T: ...

    def _url(self, call: Call[str]) -> str: ...


class SyncResource:
    """A group of operations of a `KeycloakClient` (one spec tag): `client.<name>`."""

    __slots__ = ("_client",)

    def __init__(self, client: _SyncSender) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncResource:
    """A group of operations of an `AsyncKeycloakClient` (one spec tag)."""

    __slots__ = ("_client",)

    def __init__(self, client: _AsyncSender) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def _result_annotation(build: Callable[..., Any]) -> Any:
    # Builders return `rt.Call[X]`; the method returns X.
    returns = inspect.signature(build).return_annotation
    if isinstance(returns, str) and returns.startswith("rt.Call[") and returns.endswith("]"):
        return returns[len("rt.Call[") : -1]
    return returns


def _as_method(function: Callable[..., Any], build: Callable[..., Any], returns: Any) -> None:
    # The method shows the builder's name, docs and parameters (help(), IDEs, mkdocstrings).
    function.__name__ = build.__name__.lstrip("_").rsplit("__", 1)[-1]
    function.__qualname__ = function.__name__
    function.__doc__ = build.__doc__
    function.__module__ = build.__module__
    signature = inspect.signature(build)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    function.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[this, *signature.parameters.values()], return_annotation=returns
    )


def sync_method(build: Callable[P, Call[T]]) -> Callable[Concatenate[SyncResource, P], T]:
    """The blocking method for an operation builder."""

    def method(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._client._send(build(*args, **kwargs))

    _as_method(method, build, _result_annotation(build))
    return method


def async_method(
    build: Callable[P, Call[T]],
) -> Callable[Concatenate[AsyncResource, P], Awaitable[T]]:
    """The coroutine method for an operation builder."""

    async def method(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._client._send(build(*args, **kwargs))

    _as_method(method, build, _result_annotation(build))
    return method


def _pages(
    build: Callable[..., Call[list[T]]], offset: str, limit: str, args: Any, kwargs: Any
) -> tuple[Callable[[int], Call[list[T]]], int, int]:
    size = int(kwargs.pop(limit, None) or DEFAULT_PAGE_SIZE)
    start = kwargs.pop(offset, None) or 0

    def page(first: int) -> Call[list[T]]:
        return build(*args, **{**kwargs, offset: first, limit: size})

    return page, int(start), size


DEFAULT_PAGE_SIZE = 100


def sync_pages(
    build: Callable[P, Call[list[T]]], offset: str, limit: str
) -> Callable[Concatenate[SyncResource, P], Iterator[T]]:
    """Every item of a paged list: pages of `limit` items (default 100) from `offset` on."""

    def method(self: SyncResource, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        page, first, size = _pages(build, offset, limit, args, kwargs)
        while True:
            items = self._client._send(page(first))
            yield from items
            if len(items) < size:
                return
            first += len(items)

    _as_method(method, build, f"Iterator[{_item_annotation(build)}]")
    method.__name__ = method.__qualname__ = "iter_" + method.__name__
    return method


def async_pages(
    build: Callable[P, Call[list[T]]], offset: str, limit: str
) -> Callable[Concatenate[AsyncResource, P], AsyncIterator[T]]:
    """Every item of a paged list, page by page (`async for`)."""

    async def method(self: AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
        page, first, size = _pages(build, offset, limit, args, kwargs)
        while True:
            items = await self._client._send(page(first))
            for item in items:
                yield item
            if len(items) < size:
                return
            first += len(items)

    _as_method(method, build, f"AsyncIterator[{_item_annotation(build)}]")
    method.__name__ = method.__qualname__ = "iter_" + method.__name__
    return method


def _item_annotation(build: Callable[..., Any]) -> str:
    returns = str(_result_annotation(build))
    return returns[len("list[") : -1] if returns.startswith("list[") else returns


def url_method(
    build: Callable[P, Call[str]],
) -> Callable[Concatenate[SyncResource | AsyncResource, P], str]:
    """A method that renders an operation's URL for a browser; nothing is sent."""

    def method(self: SyncResource | AsyncResource, /, *args: P.args, **kwargs: P.kwargs) -> str:
        return self._client._url(build(*args, **kwargs))

    _as_method(method, build, "str")
    return method


__all__ = [
    "AsyncResource",
    "Call",
    "Endpoint",
    "RawResponse",
    "SyncResource",
    "async_method",
    "async_pages",
    "sync_method",
    "sync_pages",
    "url_method",
]
