"""Bounded in-memory stores used by the validators: verified tokens and seen logout `jti`s."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from typing import Generic, Protocol, TypeVar

__all__ = [
    "AsyncInMemoryReplayStore",
    "AsyncReplayStore",
    "InMemoryReplayStore",
    "ReplayStore",
    "VerifiedTokenCache",
]

T = TypeVar("T")


class VerifiedTokenCache(Generic[T]):
    """An LRU of validation results keyed by the whole token string.

    An entry never outlives the `expires_at` it was stored with (the token's `exp`, capped by
    the validator), so a cached token stops being accepted exactly when it would have expired.
    """

    __slots__ = ("_entries", "_lock", "_max_entries")

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str, now: float) -> T | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry[0]:
            with self._lock:
                self._entries.pop(token, None)
            return None
        # One C call under the GIL, no lock: a concurrent `put` that evicted it leaves
        # nothing to move.
        with contextlib.suppress(KeyError):
            self._entries.move_to_end(token)
        return entry[1]

    def put(self, token: str, value: T, expires_at: float) -> None:
        with self._lock:
            entries = self._entries
            if token in entries:
                entries.move_to_end(token)  # a new key is already last
            entries[token] = (expires_at, value)
            while len(entries) > self._max_entries:
                entries.popitem(last=False)

    def expires_at(self, token: str) -> float | None:
        """When the entry for `token` stops being returned by `get`; None without one."""
        entry = self._entries.get(token)
        return None if entry is None else entry[0]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class ReplayStore(Protocol):
    """Remembers logout-token `jti`s; share one (e.g. Redis-backed) across processes."""

    def add(self, jti: str, expires_at: float) -> bool:
        """Record `jti` until `expires_at` (epoch seconds); False if it was already recorded."""
        ...


class AsyncReplayStore(Protocol):
    """The asyncio form of ReplayStore."""

    async def add(self, jti: str, expires_at: float) -> bool:
        """Record `jti` until `expires_at` (epoch seconds); False if it was already recorded."""
        ...


class InMemoryReplayStore:
    """A per-process ReplayStore holding at most `max_entries` unexpired `jti`s.

    When full, the oldest entries are forgotten first: the bound protects memory, and with
    the default size an attacker would need that many fresh valid logout tokens to evict one.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be >= 1")
        self._max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, jti: str, expires_at: float, *, now: float | None = None) -> bool:
        current = time.time() if now is None else now
        with self._lock:
            expiry = self._seen.get(jti)
            if expiry is not None and expiry > current:
                return False
            self._seen[jti] = expires_at
            self._seen.move_to_end(jti)
            self._evict(current)
        return True

    def _evict(self, now: float) -> None:
        # Expired entries go first; then the oldest, if still over the bound.
        if len(self._seen) <= self._max_entries:
            return
        for jti in [jti for jti, expiry in self._seen.items() if expiry <= now]:
            del self._seen[jti]
        while len(self._seen) > self._max_entries:
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)


class AsyncInMemoryReplayStore:
    """InMemoryReplayStore behind the AsyncReplayStore interface."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._store = InMemoryReplayStore(max_entries)

    async def add(self, jti: str, expires_at: float) -> bool:
        return self._store.add(jti, expires_at)

    def __len__(self) -> int:
        return len(self._store)
