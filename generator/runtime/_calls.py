"""What the spec says about an operation (`Endpoint`), one call of it (`Call`), and the
encoders of its arguments. Part of `keycloak_sdk._runtime`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Protocol,
    TypeVar,
)
from urllib.parse import quote

if TYPE_CHECKING:
    import httpx


# httpx (and asyncio) are imported when the first client is made, not when keycloak_sdk is:
# `from keycloak_sdk import KeycloakClient` stays cheap.

ErrorStyle = Literal["oauth", "status"]
T = TypeVar("T")

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
