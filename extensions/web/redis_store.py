"""Browser sessions shared by every worker and machine, on Redis (redis-py).

`RedisSessionStore` awaits redis-py's asyncio client (ASGI apps); its `blocking` form,
`SyncRedisSessionStore`, calls redis-py's blocking client (WSGI and Django apps). Both read
and write the same keys in the same format.

What Redis holds, per logged-in session (all with the session's expiry as TTL):

- `<prefix>s:<sha256 of the session id>`: the session record (tokens, sid, sub, the user's
  claims) encrypted with AES-256-GCM under a key that only the browser's sealed cookie
  carries. Neither the key nor the session id is stored: a dump of Redis yields no usable
  token and no usable cookie.
- `<prefix>sid:<sha256 of sid>` / `<prefix>sub:<sha256 of sub>`: the sets of record names a
  back-channel logout for that Keycloak session / user deletes. Every worker reads the record
  from Redis on every request, so the logout holds everywhere at once.

Redis unreachable or slow (beyond `socket_timeout`): `SessionStoreError`, which the engine
answers with 503 + Retry-After; nobody is logged out by an outage.

Connections are made lazily, per process and per event loop: a client created before a
server forks its workers (gunicorn --preload) is never shared with the children.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import redis
import redis.retry
from keycloak_sdk.extensions.web.sessions import (
    SessionRecord,
    SessionStoreError,
    SessionTicket,
    index_key,
)
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

__all__ = ["RedisSessionStore", "SyncRedisSessionStore"]


class RedisSessionStore:
    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "keycloak-sdk:",
        socket_timeout: float = 2.0,
        **redis_options: Any,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self._socket_timeout = socket_timeout
        self._redis_options = redis_options
        self._blocking: SyncRedisSessionStore | None = None
        self._options = {
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": socket_timeout,
            # One immediate retry (a pooled connection Redis closed after a restart), no
            # backoff: a visitor waits at most about twice `socket_timeout`, then gets a 503.
            "retry": Retry(NoBackoff(), 1),
            **redis_options,
        }
        self._clients: dict[tuple[int, int], Redis] = {}

    def __repr__(self) -> str:
        return f"RedisSessionStore(prefix={self.prefix!r})"

    def _redis(self) -> Redis:
        owner = (os.getpid(), id(asyncio.get_running_loop()))
        client = self._clients.get(owner)
        if client is None:
            if any(pid != owner[0] for pid, _ in self._clients):
                self._clients = {}  # inherited through fork: never touch the parent's sockets
            client = Redis.from_url(self.url, **self._options)
            self._clients[owner] = client
        return client

    @property
    def blocking(self) -> SyncRedisSessionStore:
        """The same store with blocking calls (redis-py's blocking client)."""
        if self._blocking is None:
            self._blocking = SyncRedisSessionStore(
                self.url,
                prefix=self.prefix,
                socket_timeout=self._socket_timeout,
                **self._redis_options,
            )
        return self._blocking

    async def aclose(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()

    def _record_key(self, ticket: SessionTicket) -> str:
        return f"{self.prefix}s:{ticket.handle}"

    async def get(self, ticket: SessionTicket) -> SessionRecord | None:
        try:
            blob = await self._redis().get(self._record_key(ticket))
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis GET failed: {type(exc).__name__}") from None
        if not isinstance(blob, bytes):
            return None
        record = ticket.decrypt(blob)
        if record is None or record.expires_at < time.time():
            return None
        return record

    async def put(self, ticket: SessionTicket, record: SessionRecord) -> None:
        ttl = max(1, int((record.expires_at - time.time()) * 1000))
        key = self._record_key(ticket)
        try:
            async with self._redis().pipeline(transaction=True) as pipe:
                pipe.set(key, ticket.encrypt(record), px=ttl)
                for kind, value in (("sid", record.sid), ("sub", record.sub)):
                    if value:
                        index = f"{self.prefix}{index_key(kind, value)}"
                        pipe.sadd(index, key)
                        pipe.pexpire(index, ttl, gt=True)
                        pipe.pexpire(index, ttl, nx=True)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis SET failed: {type(exc).__name__}") from None

    async def delete(self, ticket: SessionTicket) -> None:
        try:
            await self._redis().delete(self._record_key(ticket))
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis DEL failed: {type(exc).__name__}") from None

    async def delete_by_sid(self, sid: str) -> int:
        return await self._delete_index(index_key("sid", sid))

    async def delete_by_subject(self, sub: str) -> int:
        return await self._delete_index(index_key("sub", sub))

    async def _delete_index(self, name: str) -> int:
        index = f"{self.prefix}{name}"
        redis = self._redis()
        try:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.smembers(index)
                pipe.delete(index)
                members, _ = await pipe.execute()
            if not members:
                return 0
            return int(await redis.delete(*members))
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis logout failed: {type(exc).__name__}") from None


class SyncRedisSessionStore:
    """`RedisSessionStore` with blocking calls: same keys, same encrypted records, same
    errors. One connection pool per process (thread-safe; made again after a fork)."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "keycloak-sdk:",
        socket_timeout: float = 2.0,
        **redis_options: Any,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self._options = {
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": socket_timeout,
            "retry": redis.retry.Retry(NoBackoff(), 1),
            **redis_options,
        }
        self._client: tuple[int, redis.Redis] | None = None

    def __repr__(self) -> str:
        return f"SyncRedisSessionStore(prefix={self.prefix!r})"

    def _redis(self) -> redis.Redis:
        client = self._client
        if client is None or client[0] != os.getpid():
            # inherited through fork: never touch the parent's sockets
            client = self._client = (os.getpid(), redis.Redis.from_url(self.url, **self._options))
        return client[1]

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client[1].close()

    def _record_key(self, ticket: SessionTicket) -> str:
        return f"{self.prefix}s:{ticket.handle}"

    def get(self, ticket: SessionTicket) -> SessionRecord | None:
        try:
            blob = self._redis().get(self._record_key(ticket))
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis GET failed: {type(exc).__name__}") from None
        if not isinstance(blob, bytes):
            return None
        record = ticket.decrypt(blob)
        if record is None or record.expires_at < time.time():
            return None
        return record

    def put(self, ticket: SessionTicket, record: SessionRecord) -> None:
        ttl = max(1, int((record.expires_at - time.time()) * 1000))
        key = self._record_key(ticket)
        try:
            with self._redis().pipeline(transaction=True) as pipe:
                pipe.set(key, ticket.encrypt(record), px=ttl)
                for kind, value in (("sid", record.sid), ("sub", record.sub)):
                    if value:
                        index = f"{self.prefix}{index_key(kind, value)}"
                        pipe.sadd(index, key)
                        pipe.pexpire(index, ttl, gt=True)
                        pipe.pexpire(index, ttl, nx=True)
                pipe.execute()
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis SET failed: {type(exc).__name__}") from None

    def delete(self, ticket: SessionTicket) -> None:
        try:
            self._redis().delete(self._record_key(ticket))
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis DEL failed: {type(exc).__name__}") from None

    def delete_by_sid(self, sid: str) -> int:
        return self._delete_index(index_key("sid", sid))

    def delete_by_subject(self, sub: str) -> int:
        return self._delete_index(index_key("sub", sub))

    def _delete_index(self, name: str) -> int:
        index = f"{self.prefix}{name}"
        client = self._redis()
        try:
            with client.pipeline(transaction=True) as pipe:
                pipe.smembers(index)
                pipe.delete(index)
                members, _ = pipe.execute()
            if not members:
                return 0
            return int(client.delete(*members))
        except (RedisError, OSError) as exc:
            raise SessionStoreError(f"Redis logout failed: {type(exc).__name__}") from None
