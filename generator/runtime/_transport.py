"""Transports: the I/O of one request, with timeouts everywhere and retries of `x-retry`
operations (idempotent metadata fetches) on connection errors and 429/502/503/504.

The sync and async transports are twins; httpx and asyncio are imported when the first
client is made, not with `keycloak_sdk`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from keycloak_sdk._failures import transport_error
from keycloak_sdk._requests import Request

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 10.0
# Only operations the spec marks `x-retry` (idempotent metadata fetches) are retried.
RETRY_ATTEMPTS = 3
RETRY_BACKOFF = 0.2
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = "keycloak-sdk"

# --- transports ------------------------------------------------------------------------------


def _backoff(attempt: int) -> float:
    return float(RETRY_BACKOFF * 2 ** (attempt - 1))


class SyncTransport:
    """One pooled `httpx.Client` with a timeout on every request."""

    def __init__(self, http_client: httpx.Client | None, timeout: float) -> None:
        import httpx

        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = httpx.Timeout(timeout)
        self.owns_http_client = http_client is None
        self.http = http_client or httpx.Client(
            timeout=self.timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=False
        )

    def close(self) -> None:
        if self.owns_http_client:
            self.http.close()

    def send(self, request: Request) -> httpx.Response:
        import httpx

        attempts = RETRY_ATTEMPTS if request.retry else 1
        for attempt in range(1, attempts + 1):
            try:
                response = self.http.request(
                    request.method,
                    request.url,
                    data=request.data,
                    json=request.json,
                    content=request.content,
                    params=request.params,
                    headers=request.headers,
                    timeout=self.timeout,
                )
            except httpx.HTTPError as exc:
                if attempt < attempts:
                    time.sleep(_backoff(attempt))
                    continue
                raise transport_error(exc, request.method, request.url) from exc
            if attempt < attempts and response.status_code in RETRY_STATUSES:
                time.sleep(_backoff(attempt))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover


class AsyncTransport:
    """One pooled `httpx.AsyncClient` with a timeout on every request."""

    def __init__(self, http_client: httpx.AsyncClient | None, timeout: float) -> None:
        import httpx

        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = httpx.Timeout(timeout)
        self.owns_http_client = http_client is None
        self.http = http_client or httpx.AsyncClient(
            timeout=self.timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=False
        )

    async def aclose(self) -> None:
        if self.owns_http_client:
            await self.http.aclose()

    async def send(self, request: Request) -> httpx.Response:
        import asyncio

        import httpx

        attempts = RETRY_ATTEMPTS if request.retry else 1
        for attempt in range(1, attempts + 1):
            try:
                response = await self.http.request(
                    request.method,
                    request.url,
                    data=request.data,
                    json=request.json,
                    content=request.content,
                    params=request.params,
                    headers=request.headers,
                    timeout=self.timeout,
                )
            except httpx.HTTPError as exc:
                if attempt < attempts:
                    await asyncio.sleep(_backoff(attempt))
                    continue
                raise transport_error(exc, request.method, request.url) from exc
            if attempt < attempts and response.status_code in RETRY_STATUSES:
                await asyncio.sleep(_backoff(attempt))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover
