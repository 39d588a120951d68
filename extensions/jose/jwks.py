"""JWKS caches: fetch once, honour Cache-Control within bounds, refetch sparingly.

`JwksCache` (threads) and `AsyncJwksCache` (asyncio) share their rules through `_JwksState`:

* the first lookup fetches; the document is kept for Cache-Control `max-age`, clamped to
  [min_ttl, max_ttl] (`no-cache`/`no-store` count as min_ttl, no header as default_ttl);
* a `kid` we do not know triggers at most one refetch per `refetch_cooldown`, whatever the
  number of threads or tasks asking (single flight: the others wait for that fetch);
* a failed fetch keeps the keys we had (stale keys beat an outage) and is retried no sooner
  than the cooldown, but for at most `max_stale` seconds past their expiry: after that the
  keys are dropped and lookups raise `JwksUnavailableError`, as they do when no keys were
  ever loaded;
* a document that parses but holds no usable signing key (every key `use: "enc"`, say)
  counts as a failed fetch: the good keys stay and the next try comes after the cooldown.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Final

from keycloak_sdk.extensions.jose.errors import JwksUnavailableError, KeyNotFoundError, describe
from keycloak_sdk.extensions.jose.jwk import InvalidJwkError, KeySet, VerificationKey, parse_jwks

__all__ = [
    "DEFAULT_MAX_STALE",
    "DEFAULT_REFETCH_COOLDOWN",
    "AsyncJwksCache",
    "JwksCache",
    "JwksFetchResult",
    "JwksResponse",
    "parse_max_age",
]

_log = logging.getLogger(__name__)

MAX_JWKS_BYTES: Final = 1024 * 1024
DEFAULT_REFETCH_COOLDOWN: Final = 30.0
#: How long past their expiry keys keep verifying while every refetch fails.
DEFAULT_MAX_STALE: Final = 3600.0
# With no keys at all every validation fails, so retry sooner than the unknown-kid cooldown.
_RETRY_WITHOUT_KEYS: Final = 1.0


@dataclass(frozen=True, slots=True)
class JwksResponse:
    """A fetched JWKS document with the Cache-Control header it came with."""

    body: bytes | Mapping[str, object]
    cache_control: str | None = None


JwksFetchResult = bytes | Mapping[str, object] | JwksResponse


def parse_max_age(cache_control: str | None) -> int | None:
    """Seconds from `max-age`; 0 for `no-cache`/`no-store`; None when neither is present."""
    if not cache_control:
        return None
    max_age: int | None = None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            return 0
        if name == "max-age":
            try:
                max_age = max(0, int(value.strip().strip('"')))
            except ValueError:
                continue
    return max_age


def _load_document(result: JwksFetchResult) -> tuple[KeySet, str | None]:
    body: bytes | Mapping[str, object]
    cache_control: str | None = None
    if isinstance(result, JwksResponse):
        body, cache_control = result.body, result.cache_control
    else:
        body = result
    if isinstance(body, bytes | bytearray):
        if len(body) > MAX_JWKS_BYTES:
            raise InvalidJwkError(f"JWKS is larger than {MAX_JWKS_BYTES} bytes")
        try:
            document = json.loads(body)
        except ValueError:
            raise InvalidJwkError("JWKS is not valid JSON") from None
        if not isinstance(document, dict):
            raise InvalidJwkError("JWKS is not a JSON object")
        return parse_jwks(document), cache_control
    if isinstance(body, Mapping):
        return parse_jwks(body), cache_control
    raise InvalidJwkError(f"fetch returned {type(body).__name__}, not bytes or a mapping")


class _JwksState:
    """The cache's bookkeeping; callers hold their own lock around the mutating methods."""

    def __init__(
        self,
        *,
        min_ttl: float,
        max_ttl: float,
        default_ttl: float,
        refetch_cooldown: float,
        max_stale: float,
        clock: Callable[[], float],
    ) -> None:
        if not 0 <= min_ttl <= default_ttl <= max_ttl:
            raise ValueError("TTLs must satisfy 0 <= min_ttl <= default_ttl <= max_ttl")
        if refetch_cooldown < 0:
            raise ValueError("refetch_cooldown must be >= 0")
        if max_stale < 0:
            raise ValueError("max_stale must be >= 0")
        self.max_stale = max_stale
        self.min_ttl = min_ttl
        self.max_ttl = max_ttl
        self.default_ttl = default_ttl
        self.cooldown = refetch_cooldown
        self.clock = clock
        self.keys: KeySet | None = None
        self.expires_at = float("-inf")
        self.last_attempt = float("-inf")
        self.last_failed = False
        self.last_problem = ""
        self.generation = 0
        self.fetch_count = 0

    def stale(self, now: float) -> bool:
        return self.keys is None or now >= self.expires_at

    def should_fetch(self, now: float, *, unknown_kid: bool) -> bool:
        since = now - self.last_attempt
        if self.keys is None:
            return since >= min(_RETRY_WITHOUT_KEYS, self.cooldown)
        if unknown_kid or self.last_failed:
            return since >= self.cooldown
        return now >= self.expires_at

    def begin(self, now: float) -> None:
        self.last_attempt = now
        self.generation += 1
        self.fetch_count += 1

    def succeed(self, result: JwksFetchResult, now: float) -> None:
        try:
            keys, cache_control = _load_document(result)
            if not len(keys):
                reasons = "; ".join(
                    f"kid {describe(kid)}: {why}" for kid, why in list(keys.rejected.items())[:3]
                )
                raise InvalidJwkError(
                    "JWKS holds no usable signing key" + (f" ({reasons})" if reasons else "")
                )
        except InvalidJwkError as exc:
            self.fail(exc, now)
            return
        max_age = parse_max_age(cache_control)
        ttl = self.default_ttl if max_age is None else min(max(max_age, self.min_ttl), self.max_ttl)
        self.keys = keys
        self.expires_at = now + ttl
        self.last_failed = False
        self.last_problem = ""

    def fail(self, exc: BaseException, now: float) -> None:
        self.last_failed = True
        # The exception text may echo a URL or response body; keep only our own messages.
        reason = str(exc) if isinstance(exc, InvalidJwkError) else type(exc).__name__
        self.last_problem = reason
        if self.keys is not None and now >= self.expires_at + self.max_stale:
            # Stale keys beat an outage, but not forever: a key Keycloak revoked long ago
            # must stop verifying tokens.
            self.keys = None
            _log.warning(
                "JWKS fetch failed (%s); the previous keys expired more than %ss ago and "
                "were dropped",
                type(exc).__name__,
                self.max_stale,
            )
            return
        _log.warning(
            "JWKS fetch failed (%s); %s",
            reason,
            "keeping the previous keys" if self.keys is not None else "no keys available",
        )

    def current(self) -> KeySet:
        if self.keys is None:
            why = f": {self.last_problem}" if self.last_problem else ""
            raise JwksUnavailableError(f"no usable JWKS is available{why}")
        return self.keys


def _not_found(kid: str | None, alg: str) -> KeyNotFoundError:
    return KeyNotFoundError(f"no key in the JWKS for kid={describe(kid)} and alg {describe(alg)}")


class JwksCache:
    """Thread-safe JWKS cache around a synchronous fetch callable."""

    def __init__(
        self,
        fetch: Callable[[], JwksFetchResult],
        *,
        min_ttl: float = 60.0,
        max_ttl: float = 86400.0,
        default_ttl: float = 600.0,
        refetch_cooldown: float = DEFAULT_REFETCH_COOLDOWN,
        max_stale: float = DEFAULT_MAX_STALE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._state = _JwksState(
            min_ttl=min_ttl,
            max_ttl=max_ttl,
            default_ttl=default_ttl,
            refetch_cooldown=refetch_cooldown,
            max_stale=max_stale,
            clock=clock,
        )
        self._lock = threading.Lock()

    @property
    def keys(self) -> KeySet | None:
        """The key set in use, or None before the first successful fetch."""
        return self._state.keys

    @property
    def fetch_count(self) -> int:
        """How many fetches were attempted (successful or not)."""
        return self._state.fetch_count

    def known_key(self, kid: str | None, alg: str) -> VerificationKey | None:
        """The key for this `kid` and `alg` when the key set in use is fresh and holds it,
        else None (`get_key` then fetches, or says why it cannot). No I/O, no await."""
        state = self._state
        if state.stale(state.clock()):
            return None
        keys = state.keys
        return None if keys is None else keys.find(kid, alg)

    def get_key(self, kid: str | None, alg: str) -> VerificationKey:
        """The key that must verify a token with this `kid` and `alg`."""
        state = self._state
        generation = state.generation
        if state.stale(state.clock()):
            self._refresh(generation, unknown_kid=False)
            generation = state.generation
        key = state.current().find(kid, alg)
        if key is None:
            self._refresh(generation, unknown_kid=True)
            key = state.current().find(kid, alg)
            if key is None:
                raise _not_found(kid, alg)
        return key

    def refresh(self) -> KeySet:
        """Fetch now, ignoring TTL and cooldown (for operators); return the keys in use."""
        with self._lock:
            self._fetch_locked()
        return self._state.current()

    def _refresh(self, seen_generation: int, *, unknown_kid: bool) -> None:
        with self._lock:
            state = self._state
            # Someone fetched while we waited for the lock: use their result.
            if state.generation != seen_generation:
                return
            if state.should_fetch(state.clock(), unknown_kid=unknown_kid):
                self._fetch_locked()

    def _fetch_locked(self) -> None:
        state = self._state
        now = state.clock()
        state.begin(now)
        try:
            result = self._fetch()
        except Exception as exc:
            state.fail(exc, now)
            return
        state.succeed(result, now)


class AsyncJwksCache:
    """asyncio JWKS cache around an async fetch callable; same rules as JwksCache."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[JwksFetchResult]],
        *,
        min_ttl: float = 60.0,
        max_ttl: float = 86400.0,
        default_ttl: float = 600.0,
        refetch_cooldown: float = DEFAULT_REFETCH_COOLDOWN,
        max_stale: float = DEFAULT_MAX_STALE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._state = _JwksState(
            min_ttl=min_ttl,
            max_ttl=max_ttl,
            default_ttl=default_ttl,
            refetch_cooldown=refetch_cooldown,
            max_stale=max_stale,
            clock=clock,
        )
        import asyncio  # here, so that sync users never import it

        self._lock = asyncio.Lock()

    @property
    def keys(self) -> KeySet | None:
        """The key set in use, or None before the first successful fetch."""
        return self._state.keys

    @property
    def fetch_count(self) -> int:
        """How many fetches were attempted (successful or not)."""
        return self._state.fetch_count

    def known_key(self, kid: str | None, alg: str) -> VerificationKey | None:
        """The key for this `kid` and `alg` when the key set in use is fresh and holds it,
        else None (`get_key` then fetches, or says why it cannot). No I/O, no await."""
        state = self._state
        if state.stale(state.clock()):
            return None
        keys = state.keys
        return None if keys is None else keys.find(kid, alg)

    async def get_key(self, kid: str | None, alg: str) -> VerificationKey:
        """The key that must verify a token with this `kid` and `alg`."""
        state = self._state
        generation = state.generation
        if state.stale(state.clock()):
            await self._refresh(generation, unknown_kid=False)
            generation = state.generation
        key = state.current().find(kid, alg)
        if key is None:
            await self._refresh(generation, unknown_kid=True)
            key = state.current().find(kid, alg)
            if key is None:
                raise _not_found(kid, alg)
        return key

    async def refresh(self) -> KeySet:
        """Fetch now, ignoring TTL and cooldown (for operators); return the keys in use."""
        async with self._lock:
            await self._fetch_locked()
        return self._state.current()

    async def _refresh(self, seen_generation: int, *, unknown_kid: bool) -> None:
        async with self._lock:
            state = self._state
            if state.generation != seen_generation:
                return
            if state.should_fetch(state.clock(), unknown_kid=unknown_kid):
                await self._fetch_locked()

    async def _fetch_locked(self) -> None:
        state = self._state
        now = state.clock()
        state.begin(now)
        try:
            result = await self._fetch()
        except Exception as exc:
            state.fail(exc, now)
            return
        state.succeed(result, now)
