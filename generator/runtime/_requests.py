"""Sans-IO request preparation: a `Call` and the discovery documents become a request, and
the response becomes the result. Part of `keycloak_sdk._runtime`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Protocol,
    TypeVar,
)
from urllib.parse import urlencode

from keycloak_sdk._calls import _NO_BODY, Call, Endpoint, Value, segment
from keycloak_sdk._errors import (
    EndpointNotAdvertisedError,
)
from keycloak_sdk._failures import check
from keycloak_sdk.auth import (
    ClientAuthentication,
    FormData,
)

if TYPE_CHECKING:
    import httpx


# httpx (and asyncio) are imported when the first client is made, not when keycloak_sdk is:
# `from keycloak_sdk import KeycloakClient` stays cheap.

T = TypeVar("T")


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
