"""The one place where the flow layer talks to the server.

Flows are written once, as generators that yield *operations* (`HttpCall`, `Sleep`,
`ValidateIdToken`, `ValidateJwt`) and receive their results; `SyncDriver` and `AsyncDriver`
perform them with httpx / time.sleep or httpx.AsyncClient / asyncio.sleep. This keeps `Client`
and `AsyncClient` identical in behaviour while each stays a thin typed façade.

Errors and client authentication are the generated core's (`keycloak_sdk.errors`,
`keycloak_sdk.auth`). The requests themselves are still sent by these drivers rather than
by `keycloak_sdk.KeycloakClient`, which landed after this layer was written; moving them onto
the core means changing `SyncDriver.perform` / `AsyncDriver.perform` only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

import httpx
from keycloak_sdk.extensions.client_auth import ClientAuthentication, FormData
from pydantic import BaseModel, ConfigDict, ValidationError

from keycloak_sdk.errors import (
    ApiError,
    EndpointNotAdvertisedError,
    KeycloakError,
    OAuthError,
    RequestTimeoutError,
    TransportError,
    UnexpectedResponseError,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

USER_AGENT = "keycloak-sdk-python"


@dataclass(frozen=True)
class HttpCall:
    """One request. `client_auth` adds the client's credentials (token-family endpoints);
    `bearer` sends an access token instead."""

    method: str
    url: str
    form: Mapping[str, str] | None = None
    # Parameters sent several times (UMA `permission`); never touched by client auth.
    repeated_form: Mapping[str, list[str]] | None = None
    json_body: Any = None
    params: Mapping[str, str | list[str]] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    client_auth: bool = False
    bearer: str | None = field(default=None, repr=False)
    # Protection API (UMA resources, tickets, policies): errors are ApiError, not OAuthError.
    protection_api: bool = False


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Now:
    """Ask the driver for its clock (injectable in tests)."""


@dataclass(frozen=True)
class ValidateIdToken:
    id_token: str = field(repr=False)
    nonce: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    max_age: int | None = None


@dataclass(frozen=True)
class ValidateAccessToken:
    token: str = field(repr=False)


@dataclass(frozen=True)
class ValidateJwt:
    """A signed JWT response (e.g. `application/jwt` userinfo) to verify with the realm keys."""

    token: str = field(repr=False)
    audience: str


Operation: TypeAlias = HttpCall | Sleep | Now | ValidateIdToken | ValidateAccessToken | ValidateJwt
Flow: TypeAlias = Generator[Operation, Any, T]


class ProviderMetadata(BaseModel):
    """The parts of the OIDC discovery document the flows use (others are kept as extras)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    issuer: str
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    jwks_uri: str | None = None
    end_session_endpoint: str | None = None
    introspection_endpoint: str | None = None
    revocation_endpoint: str | None = None
    device_authorization_endpoint: str | None = None
    pushed_authorization_request_endpoint: str | None = None
    backchannel_authentication_endpoint: str | None = None
    require_pushed_authorization_requests: bool = False
    authorization_response_iss_parameter_supported: bool = False
    code_challenge_methods_supported: list[str] = []
    backchannel_logout_supported: bool = False

    def endpoint(self, name: str) -> str:
        value = getattr(self, name, None)
        if not isinstance(value, str) or not value:
            raise EndpointNotAdvertisedError(name)
        return value


class UmaMetadata(BaseModel):
    """The UMA 2.0 discovery document (`/.well-known/uma2-configuration`)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    issuer: str
    token_endpoint: str
    resource_registration_endpoint: str | None = None
    permission_endpoint: str | None = None
    policy_endpoint: str | None = None
    introspection_endpoint: str | None = None

    def endpoint(self, name: str) -> str:
        value = getattr(self, name, None)
        if not isinstance(value, str) or not value:
            raise EndpointNotAdvertisedError(name)
        return value


# ---------------------------------------------------------------- response parsing


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UnexpectedResponseError(
            response.status_code, "response is not JSON", response.headers.get("content-type")
        ) from None


def raise_for_error(response: httpx.Response) -> None:
    """Turn a non-2xx response into the matching typed error (never an httpx exception).

    Protection-API calls raise `ApiError` subclasses; everything else `OAuthError` ones.
    """
    if response.is_success:
        return
    status = response.status_code
    headers = dict(response.headers)
    parsed = OAuthError.parse(response.content, headers)
    try:
        protection = bool(response.request.extensions.get("keycloak_sdk.protection_api"))
    except RuntimeError:  # a response built without a request (tests): the OAuth family
        protection = False
    # 404/409 are resource errors even when Keycloak words them as {"error": "..."}.
    if protection or status in (404, 409) or parsed is None:
        error, description, _ = parsed if parsed is not None else (None, None, None)
        if parsed is None and not protection and status not in (401, 403, 404, 409):
            raise UnexpectedResponseError(
                status, response.reason_phrase or "error", headers.get("content-type")
            )
        raise ApiError.for_status(status, error, description, headers.get("www-authenticate"))
    raise OAuthError.from_response(status, response.content, headers)


def parse_json(response: httpx.Response) -> Any:
    raise_for_error(response)
    return _json(response)


def parse_model(response: httpx.Response, model: type[M]) -> M:
    data = parse_json(response)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
        raise UnexpectedResponseError(
            response.status_code,
            f"unexpected {model.__name__} response ({fields})",
            response.headers.get("content-type"),
        ) from None


# ---------------------------------------------------------------- drivers


def _prepare(call: HttpCall, auth: ClientAuthentication) -> tuple[dict[str, str], FormData | None]:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **call.headers}
    form: FormData | None = dict(call.form) if call.form is not None else None
    if call.bearer is not None:
        headers["Authorization"] = f"Bearer {call.bearer}"
    elif call.client_auth:
        form = {} if form is None else form
        auth.apply(call.url, form, headers)
    if call.repeated_form:
        form = {} if form is None else form
        form.update({k: v for k, v in call.repeated_form.items() if v})
    return headers, form


class SyncDriver:
    """Performs flow operations with a blocking httpx.Client."""

    def __init__(
        self,
        *,
        auth: ClientAuthentication,
        issuer: str,
        timeout: float,
        http_client: httpx.Client | None,
        validate: Callable[[Operation], Any],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth = auth
        self.issuer = issuer
        self._owns_http = http_client is None
        self._http = http_client
        self.timeout = timeout
        self._validate = validate
        self.sleep = sleep
        self.clock = clock

    @property
    def http(self) -> httpx.Client:
        # Created on first use: constructing a client (and its TLS context) costs nothing.
        if self._http is None:
            self._http = httpx.Client(timeout=self.timeout, follow_redirects=False)
        return self._http

    def send(self, call: HttpCall) -> httpx.Response:
        headers, form = _prepare(call, self.auth)
        try:
            return self.http.request(
                call.method,
                call.url,
                data=form,
                json=call.json_body,
                params=call.params,
                headers=headers,
                timeout=self.timeout,
                extensions={"keycloak_sdk.protection_api": call.protection_api},
            )
        except httpx.TimeoutException as exc:
            raise RequestTimeoutError(f"{call.method} {_safe_url(call.url)} timed out") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{call.method} {_safe_url(call.url)} failed: {exc}") from exc

    def perform(self, op: Operation) -> Any:
        if isinstance(op, HttpCall):
            return self.send(op)
        if isinstance(op, Sleep):
            self.sleep(op.seconds)
            return None
        if isinstance(op, Now):
            return self.clock()
        return self._validate(op)

    def run(self, flow: Flow[T]) -> T:
        try:
            op = next(flow)
            while True:
                try:
                    result = self.perform(op)
                except KeycloakError as exc:
                    op = flow.throw(exc)
                else:
                    op = flow.send(result)
        except StopIteration as stop:
            value: T = stop.value
            return value

    def close(self) -> None:
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None


class AsyncDriver:
    """Performs flow operations with httpx.AsyncClient and asyncio.sleep."""

    def __init__(
        self,
        *,
        auth: ClientAuthentication,
        issuer: str,
        timeout: float,
        http_client: httpx.AsyncClient | None,
        validate: Callable[[Operation], Any],
        sleep: Callable[[float], Any] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth = auth
        self.issuer = issuer
        self._owns_http = http_client is None
        self._http = http_client
        self.timeout = timeout
        self._validate = validate
        self.sleep = sleep
        self.clock = clock

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self._http

    async def send(self, call: HttpCall) -> httpx.Response:
        headers, form = _prepare(call, self.auth)
        try:
            return await self.http.request(
                call.method,
                call.url,
                data=form,
                json=call.json_body,
                params=call.params,
                headers=headers,
                timeout=self.timeout,
                extensions={"keycloak_sdk.protection_api": call.protection_api},
            )
        except httpx.TimeoutException as exc:
            raise RequestTimeoutError(f"{call.method} {_safe_url(call.url)} timed out") from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{call.method} {_safe_url(call.url)} failed: {exc}") from exc

    async def perform(self, op: Operation) -> Any:
        if isinstance(op, HttpCall):
            return await self.send(op)
        if isinstance(op, Sleep):
            await self.sleep(op.seconds)
            return None
        if isinstance(op, Now):
            return self.clock()
        result = self._validate(op)
        if asyncio.iscoroutine(result):
            return await result
        return result

    async def run(self, flow: Flow[T]) -> T:
        try:
            op = next(flow)
            while True:
                try:
                    result = await self.perform(op)
                except KeycloakError as exc:
                    op = flow.throw(exc)
                else:
                    op = flow.send(result)
        except StopIteration as stop:
            value: T = stop.value
            return value

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None


def _safe_url(url: str) -> str:
    # Query strings can carry codes or tokens; errors name the endpoint only.
    return url.split("?", 1)[0]


__all__ = [
    "AsyncDriver",
    "Flow",
    "HttpCall",
    "Now",
    "OAuthError",
    "Operation",
    "ProviderMetadata",
    "Sleep",
    "SyncDriver",
    "UmaMetadata",
    "ValidateAccessToken",
    "ValidateIdToken",
    "ValidateJwt",
    "parse_json",
    "parse_model",
    "raise_for_error",
]
