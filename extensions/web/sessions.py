"""Server-side session storage for the browser flow.

The browser holds a sealed *ticket* (see `sealing`): a random session id and a random key that
exists nowhere else. Tokens stay on the server, in a `SessionStore`; a shared store (Redis,
`redis_store`) keeps each record encrypted with the ticket's key, under a hash of the id, so a
dump of the store yields neither a usable token nor a usable cookie. Stores keep a
sid/sub index so that a back-channel logout for a Keycloak session (`sid`) or a user (`sub`)
ends the matching application sessions, in every worker at once.

Only logged-in users have a record: pending logins live in their own sealed cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_KEY_BYTES = 32
_NONCE_BYTES = 12


class SessionStoreError(Exception):
    """The session store cannot be reached or answered nonsense: the request gets a 503."""


@dataclass
class StoredTokens:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    id_token: str | None = field(repr=False)
    expires_at: float
    refresh_expires_at: float | None


@dataclass
class SessionRecord:
    """One logged-in browser session."""

    expires_at: float
    tokens: StoredTokens | None = None
    sid: str | None = None
    sub: str | None = None
    # The ID token's claims about the user (what `session["user"]` shows).
    user: dict[str, Any] | None = field(default=None, repr=False)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> SessionRecord:
        data = json.loads(raw)
        tokens = data.get("tokens")
        return cls(
            expires_at=float(data["expires_at"]),
            tokens=StoredTokens(**tokens) if isinstance(tokens, dict) else None,
            sid=data.get("sid"),
            sub=data.get("sub"),
            user=data.get("user"),
        )


@dataclass(frozen=True)
class SessionTicket:
    """What the browser's (sealed) cookie carries: which session, and the key to its record."""

    session_id: str = field(repr=False)
    key: bytes = field(repr=False)

    @classmethod
    def new(cls) -> SessionTicket:
        return cls(secrets.token_urlsafe(32), secrets.token_bytes(_KEY_BYTES))

    def encode(self) -> bytes:
        return f"{self.session_id}.{base64.urlsafe_b64encode(self.key).decode()}".encode()

    @classmethod
    def decode(cls, raw: bytes) -> SessionTicket | None:
        session_id, sep, key = raw.decode("ascii", "replace").partition(".")
        try:
            secret = base64.urlsafe_b64decode(key)
        except (binascii.Error, ValueError):
            return None
        if not sep or not session_id or len(secret) != _KEY_BYTES:
            return None
        return cls(session_id, secret)

    @property
    def handle(self) -> str:
        """Where a shared store files the record: a hash, so the store never holds the id."""
        return hashlib.sha256(self.session_id.encode("ascii", "replace")).hexdigest()

    def encrypt(self, record: SessionRecord) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + AESGCM(self.key).encrypt(nonce, record.to_json(), self.handle.encode())

    def decrypt(self, blob: bytes) -> SessionRecord | None:
        try:
            plain = AESGCM(self.key).decrypt(
                blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], self.handle.encode()
            )
            return SessionRecord.from_json(plain)
        except (InvalidTag, ValueError, KeyError, TypeError):
            return None


def index_key(kind: str, value: str) -> str:
    """The back-channel logout index entry for a Keycloak `sid` or a user's `sub`."""
    return f"{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()}"


class SessionStore(Protocol):
    """Where browser sessions live. Awaited by ASGI apps; WSGI and Django apps call its
    `blocking` form (a `SyncSessionStore`). Any error that means "unavailable" is raised as
    `SessionStoreError` (the visitor gets a 503, not a logout)."""

    async def get(self, ticket: SessionTicket) -> SessionRecord | None: ...

    async def put(self, ticket: SessionTicket, record: SessionRecord) -> None: ...

    async def delete(self, ticket: SessionTicket) -> None: ...

    async def delete_by_sid(self, sid: str) -> int: ...

    async def delete_by_subject(self, sub: str) -> int: ...


class SyncSessionStore(Protocol):
    """The blocking form of `SessionStore` (WSGI and Django), same records, same errors. A
    store offers it as its `blocking` attribute."""

    def get(self, ticket: SessionTicket) -> SessionRecord | None: ...

    def put(self, ticket: SessionTicket, record: SessionRecord) -> None: ...

    def delete(self, ticket: SessionTicket) -> None: ...

    def delete_by_sid(self, sid: str) -> int: ...

    def delete_by_subject(self, sub: str) -> int: ...


class SyncInMemorySessionStore:
    """Process-local store with expiry, blocking calls (the blocking form of
    `InMemorySessionStore`). Thread-safe: WSGI and Django workers call it from many threads.

    Only logged-in users have a record, so it grows with logins, not with visitors; beyond
    `max_sessions` the expired go first, then the oldest.
    """

    def __init__(self, max_sessions: int = 100_000) -> None:
        self._records: dict[str, SessionRecord] = {}
        self._by_sid: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._max = max_sessions

    def __len__(self) -> int:
        return len(self._records)

    def get(self, ticket: SessionTicket) -> SessionRecord | None:
        session_id = ticket.session_id
        with self._lock:
            record = self._records.get(session_id)
            if record is not None and record.expires_at < time.time():
                self._remove(session_id)
                return None
            return record

    def put(self, ticket: SessionTicket, record: SessionRecord) -> None:
        session_id = ticket.session_id
        with self._lock:
            self._remove(session_id)
            if len(self._records) >= self._max:
                self._evict_expired()
                if len(self._records) >= self._max:  # still full: drop the oldest
                    self._remove(next(iter(self._records)))
            self._records[session_id] = record
            if record.sid:
                self._by_sid.setdefault(record.sid, set()).add(session_id)

    def delete(self, ticket: SessionTicket) -> None:
        with self._lock:
            self._remove(ticket.session_id)

    def delete_by_sid(self, sid: str) -> int:
        with self._lock:
            ids = list(self._by_sid.get(sid, ()))
            for session_id in ids:
                self._remove(session_id)
            return len(ids)

    def delete_by_subject(self, sub: str) -> int:
        with self._lock:
            ids = [key for key, record in self._records.items() if record.sub == sub]
            for session_id in ids:
                self._remove(session_id)
            return len(ids)

    def _remove(self, session_id: str) -> None:
        record = self._records.pop(session_id, None)
        if record is not None and record.sid:
            ids = self._by_sid.get(record.sid)
            if ids is not None:
                ids.discard(session_id)
                if not ids:
                    del self._by_sid[record.sid]

    def _evict_expired(self) -> None:
        now = time.time()
        for key in [k for k, r in self._records.items() if r.expires_at < now]:
            self._remove(key)


class InMemorySessionStore:
    """Process-local store with expiry: one process only (use `RedisSessionStore` otherwise).

    Only logged-in users have a record, so it grows with logins, not with visitors; beyond
    `max_sessions` the expired go first, then the oldest. `blocking` is the same store with
    blocking calls (what WSGI and Django apps use); both see the same sessions.
    """

    def __init__(self, max_sessions: int = 100_000) -> None:
        self.blocking = SyncInMemorySessionStore(max_sessions)

    def __len__(self) -> int:
        return len(self.blocking)

    @property
    def _records(self) -> dict[str, SessionRecord]:
        return self.blocking._records

    async def get(self, ticket: SessionTicket) -> SessionRecord | None:
        return self.blocking.get(ticket)

    async def put(self, ticket: SessionTicket, record: SessionRecord) -> None:
        self.blocking.put(ticket, record)

    async def delete(self, ticket: SessionTicket) -> None:
        self.blocking.delete(ticket)

    async def delete_by_sid(self, sid: str) -> int:
        return self.blocking.delete_by_sid(sid)

    async def delete_by_subject(self, sub: str) -> int:
        return self.blocking.delete_by_subject(sub)
