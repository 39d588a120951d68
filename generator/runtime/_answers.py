"""Reading answers: the readers a `Call` names turn a response into its typed result.

Part of `keycloak_sdk._runtime`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    TypeVar,
)
from urllib.parse import urlsplit

from keycloak_sdk._errors import (
    UnexpectedResponseError,
)

if TYPE_CHECKING:
    import httpx


# httpx (and asyncio) are imported when the first client is made, not when keycloak_sdk is:
# `from keycloak_sdk import KeycloakClient` stays cheap.

T = TypeVar("T")


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
