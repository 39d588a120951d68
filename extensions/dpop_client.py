"""DPoP on the wire for the flow clients: an httpx transport that adds proofs.

`Client(..., dpop=True)` (or `dpop=DPoPKey(...)`) sends every request to the token,
introspection and userinfo endpoints through `DPoPTransport` / `AsyncDPoPTransport`: each
gets a fresh `DPoP` proof for its method and URL; userinfo sends the token with the `DPoP`
scheme and its `ath`. A `DPoP-Nonce` in any answer is remembered for that server, and a
`use_dpop_nonce` error (400 from the token endpoint, 401 from a resource) is retried once
with the new nonce (RFC 9449 sections 8 and 9). The generated core is untouched: it sees an
ordinary httpx client.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

import httpx
from keycloak_sdk.extensions.dpop import DPOP_TOKEN_TYPE, DPoPKey

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["AsyncDPoPTransport", "DPoPTransport", "keycloak_dpop_endpoint"]

_TOKEN_PATHS: Final = (
    "/protocol/openid-connect/token",
    "/protocol/openid-connect/token/introspect",
)
_USERINFO_PATH: Final = "/protocol/openid-connect/userinfo"


def keycloak_dpop_endpoint(path: str) -> bool:
    """Which requests carry a proof: Keycloak's token, introspection and userinfo endpoints."""
    return path.endswith(_TOKEN_PATHS) or path.endswith(_USERINFO_PATH)


def _prepare(key: DPoPKey, request: httpx.Request) -> None:
    access_token = None
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if request.url.path.endswith(_USERINFO_PATH) and scheme.lower() in ("bearer", "dpop"):
        # A DPoP-bound token is presented with the DPoP scheme and hashed into the proof.
        access_token = credentials.strip()
        request.headers["authorization"] = f"{DPOP_TOKEN_TYPE} {access_token}"
    url = str(request.url.copy_with(query=None, fragment=None))
    request.headers["dpop"] = key.proof(request.method, url, access_token=access_token)


def _wants_nonce(key: DPoPKey, request: httpx.Request, response: httpx.Response) -> bool:
    nonce = response.headers.get("dpop-nonce")
    key.remember_nonce(str(request.url), nonce)
    if not nonce:
        return False
    if response.status_code == 401:
        return "use_dpop_nonce" in response.headers.get("www-authenticate", "")
    if response.status_code == 400:
        try:
            return bool(json.loads(response.content).get("error") == "use_dpop_nonce")
        except (ValueError, AttributeError):
            return False
    return False


class DPoPTransport(httpx.BaseTransport):
    """Wraps a transport (default: httpx's own) and adds DPoP proofs where `applies`."""

    def __init__(
        self,
        key: DPoPKey,
        inner: httpx.BaseTransport | None = None,
        *,
        applies: Callable[[str], bool] = keycloak_dpop_endpoint,
    ) -> None:
        self.key = key
        self._inner = inner if inner is not None else httpx.HTTPTransport()
        self._applies = applies

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._applies(request.url.path):
            return self._inner.handle_request(request)
        _prepare(self.key, request)
        response = self._inner.handle_request(request)
        if response.status_code in (400, 401):
            response.read()
        if _wants_nonce(self.key, request, response):
            response.close()
            _prepare(self.key, request)
            response = self._inner.handle_request(request)
            if response.status_code in (400, 401):
                response.read()
            _wants_nonce(self.key, request, response)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncDPoPTransport(httpx.AsyncBaseTransport):
    """The asyncio form of DPoPTransport."""

    def __init__(
        self,
        key: DPoPKey,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        applies: Callable[[str], bool] = keycloak_dpop_endpoint,
    ) -> None:
        self.key = key
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self._applies = applies

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._applies(request.url.path):
            return await self._inner.handle_async_request(request)
        _prepare(self.key, request)
        response = await self._inner.handle_async_request(request)
        if response.status_code in (400, 401):
            await response.aread()
        if _wants_nonce(self.key, request, response):
            await response.aclose()
            _prepare(self.key, request)
            response = await self._inner.handle_async_request(request)
            if response.status_code in (400, 401):
                await response.aread()
            _wants_nonce(self.key, request, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
