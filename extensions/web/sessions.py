"""Server-side session storage for the browser flow.

The browser only ever holds a sealed, random session id (see `sealing`); tokens stay on the
server. The store keeps a sid→session index so that a back-channel logout for a Keycloak
session (`sid`) or a user (`sub`) ends the matching application sessions.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class StoredTokens:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    id_token: str | None = field(repr=False)
    expires_at: float
    refresh_expires_at: float | None


@dataclass
class SessionRecord:
    """One logged-in browser session (pending logins live in their own sealed cookie)."""

    expires_at: float
    tokens: StoredTokens | None = None
    sid: str | None = None
    sub: str | None = None
    # The ID token's claims about the user (what `session["user"]` shows).
    user: dict[str, Any] | None = field(default=None, repr=False)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class SessionStore(Protocol):
    """Where browser sessions live; implementations must be safe to call from any thread."""

    def get(self, session_id: str) -> SessionRecord | None: ...

    def put(self, session_id: str, record: SessionRecord) -> None: ...

    def delete(self, session_id: str) -> None: ...

    def delete_by_sid(self, sid: str) -> int: ...

    def delete_by_subject(self, sub: str) -> int: ...


class InMemorySessionStore:
    """Process-local store with expiry; fine for one process, use a shared store otherwise."""

    def __init__(self, max_sessions: int = 100_000) -> None:
        self._records: dict[str, SessionRecord] = {}
        self._by_sid: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._max = max_sessions

    def __len__(self) -> int:
        return len(self._records)

    def get(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            record = self._records.get(session_id)
            if record is not None and record.expires_at < time.time():
                self._remove(session_id)
                return None
            return record

    def put(self, session_id: str, record: SessionRecord) -> None:
        with self._lock:
            self._remove(session_id)
            if len(self._records) >= self._max:
                self._evict_expired()
                if len(self._records) >= self._max:  # still full: drop the oldest
                    self._remove(next(iter(self._records)))
            self._records[session_id] = record
            if record.sid:
                self._by_sid.setdefault(record.sid, set()).add(session_id)

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._remove(session_id)

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
