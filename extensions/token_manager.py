"""A cached service token (client credentials or PAT), refreshed before it expires.

Single flight: however many threads (or tasks) ask at once while the token is missing or
about to expire, exactly one token request is made and everyone gets its result.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from keycloak_sdk.extensions.client import AsyncClient, Client
    from keycloak_sdk.extensions.tokens import TokenSet

TokenSource = Literal["client_credentials", "pat"]
DEFAULT_SKEW = 30.0


def _usable(token: TokenSet | None, skew: float, now: float) -> bool:
    return token is not None and not token.is_expired(skew=skew, now=now)


def _check_skew(skew: float) -> float:
    if skew < 0:
        raise ValueError("skew must not be negative")
    return skew


class TokenManager:
    """Thread-safe cache of one service token for a `Client`."""

    def __init__(
        self,
        client: Client,
        *,
        source: TokenSource = "client_credentials",
        scope: str | None = None,
        audience: str | None = None,
        skew: float = DEFAULT_SKEW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch: Callable[[], TokenSet]
        if source == "pat":
            self._fetch = client.pat
        else:
            self._fetch = lambda: client.client_credentials(scope=scope, audience=audience)
        self._skew = _check_skew(skew)
        self._clock = clock
        self._token: TokenSet | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenManager(cached={self._token is not None})"

    def token(self) -> TokenSet:
        """A token valid for at least `skew` more seconds."""
        token = self._token
        if _usable(token, self._skew, self._clock()):
            assert token is not None
            return token
        with self._lock:
            # Another thread may have refreshed while we waited for the lock.
            token = self._token
            if _usable(token, self._skew, self._clock()):
                assert token is not None
                return token
            token = self._fetch()
            self._token = token
            return token

    def access_token(self) -> str:
        return self.token().access_token

    def invalidate(self) -> None:
        """Forget the cached token (e.g. after the API answered 401)."""
        with self._lock:
            self._token = None


class AsyncTokenManager:
    """asyncio form of `TokenManager` for an `AsyncClient`."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        source: TokenSource = "client_credentials",
        scope: str | None = None,
        audience: str | None = None,
        skew: float = DEFAULT_SKEW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch: Callable[[], Awaitable[TokenSet]]
        if source == "pat":
            self._fetch = client.pat
        else:
            self._fetch = lambda: client.client_credentials(scope=scope, audience=audience)
        self._skew = _check_skew(skew)
        self._clock = clock
        self._token: TokenSet | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AsyncTokenManager(cached={self._token is not None})"

    async def token(self) -> TokenSet:
        token = self._token
        if _usable(token, self._skew, self._clock()):
            assert token is not None
            return token
        async with self._lock:
            token = self._token
            if _usable(token, self._skew, self._clock()):
                assert token is not None
                return token
            token = await self._fetch()
            self._token = token
            return token

    async def access_token(self) -> str:
        return (await self.token()).access_token

    async def invalidate(self) -> None:
        async with self._lock:
            self._token = None
