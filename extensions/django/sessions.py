"""Browser sessions kept by Django's own session framework (its database, cache or cached_db
engine), shared by every worker and machine that shares that database or cache.

    KEYCLOAK_SESSION_STORE = "keycloak_sdk.extensions.django.sessions.DjangoSessionStore"
    SESSION_ENGINE = "django.contrib.sessions.backends.db"   # or .cache / .cached_db

What the session engine holds, as ordinary Django sessions (`django_session` rows or cache
entries) with Django's own expiry (`expire_date` / the cache timeout):

- `kcs<sha256 of the session id, 37 hex digits>`: the session record (tokens, sid, sub, the
  user's claims) encrypted with AES-256-GCM under a key only the browser's sealed cookie
  carries, and when the login happened. Expires with the session.
- `kcx<sha256 of "sid:<sid>" or "sub:<sub>", 37 hex digits>`: a back-channel logout's
  revocation of a Keycloak session (every record with that `sid` is refused) or of a user
  (every record of that `sub` logged in before it). Every worker checks them on every request,
  so a logout received by one worker holds in all of them at once. They live
  `revocation_ttl` seconds (default 7 days), which must exceed the sessions' maximum age.

Neither the session id nor the key is stored: a dump of the database or cache yields no usable
token and no usable cookie. An unreachable database or cache raises `SessionStoreError`
(the visitor gets a 503 with Retry-After, never a silent logout); Django's cache engine alone
would read an outage as "no session", so its entries are read from the cache directly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from importlib import import_module
from types import ModuleType
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError
from django.core.exceptions import SynchronousOnlyOperation
from keycloak_sdk.extensions.errors import ConfigurationError
from keycloak_sdk.extensions.web.sessions import (
    SessionRecord,
    SessionStoreError,
    SessionTicket,
    index_key,
)

__all__ = ["DjangoSessionStore", "SyncDjangoSessionStore"]

_BLOB = "kc_record"
_LOGIN = "kc_login_at"
_REVOKED = "kc_revoked_at"
# django_session.session_key holds 40 characters: a 3-letter kind and 37 hex digits (148 bits).
_KEY_DIGITS = 37
_NOT_SHARED = ("django.contrib.sessions.backends.signed_cookies",)


class SyncDjangoSessionStore:
    """The blocking form (what the Django middleware calls), on `SESSION_ENGINE` or `engine`."""

    def __init__(self, engine: str | None = None, *, revocation_ttl: float = 7 * 86400.0) -> None:
        self._engine_name = engine
        self._engine: ModuleType | None = None
        self.revocation_ttl = revocation_ttl

    def __repr__(self) -> str:
        return f"SyncDjangoSessionStore(engine={self._engine_name!r})"

    @property
    def engine(self) -> ModuleType:
        if self._engine is None:
            name = self._engine_name or str(settings.SESSION_ENGINE)
            if name in _NOT_SHARED:
                raise ConfigurationError(
                    "SESSION_ENGINE",
                    f"{name!r} keeps sessions in the browser's cookie, not on the server: "
                    "use the db, cache or cached_db engine with DjangoSessionStore",
                )
            self._engine = import_module(name)
        return self._engine

    def _session(self, key: str | None = None) -> SessionBase:
        session: SessionBase = self.engine.SessionStore(session_key=key)
        return session

    # -- Django sessions as plain keyed entries ---------------------------------------------

    def _read(self, key: str) -> dict[str, Any]:
        session = self._session(key)
        try:
            if self._cache_only(session):
                from django.core.cache import caches

                # The cache engine's own load() reads any cache error as "no session".
                data = caches[settings.SESSION_CACHE_ALIAS].get(session.cache_key)  # type: ignore[attr-defined]
                return data if isinstance(data, dict) else {}
            return dict(session.load())
        except SynchronousOnlyOperation:
            raise  # a blocking call from async code: a bug, not an outage
        except Exception as exc:
            raise SessionStoreError(f"Django session read failed: {type(exc).__name__}") from None

    def _write(self, key: str, data: dict[str, Any], ttl: float) -> None:
        session = self._session()
        # A known key and the data to save, without the load() that would forget the key when
        # no entry exists yet.
        session._session_key = key
        session._session_cache = dict(data)  # type: ignore[attr-defined]
        session.set_expiry(max(1, int(ttl)))
        try:
            try:
                session.save(must_create=False)
            except UpdateError:
                try:
                    session.save(must_create=True)
                except CreateError:  # written meanwhile by another worker
                    session.save(must_create=False)
        except SynchronousOnlyOperation:
            raise  # a blocking call from async code: a bug, not an outage
        except Exception as exc:
            raise SessionStoreError(f"Django session write failed: {type(exc).__name__}") from None

    def _remove(self, key: str) -> None:
        try:
            self._session().delete(key)
        except SynchronousOnlyOperation:
            raise  # a blocking call from async code: a bug, not an outage
        except Exception as exc:
            raise SessionStoreError(f"Django session delete failed: {type(exc).__name__}") from None

    @staticmethod
    def _cache_only(session: SessionBase) -> bool:
        from django.contrib.sessions.backends import cache

        return isinstance(session, cache.SessionStore)

    @staticmethod
    def _record_key(ticket: SessionTicket) -> str:
        return f"kcs{ticket.handle[:_KEY_DIGITS]}"

    @staticmethod
    def _revocation_key(kind: str, value: str) -> str:
        digest = hashlib.sha256(index_key(kind, value).encode()).hexdigest()
        return f"kcx{digest[:_KEY_DIGITS]}"

    # -- the store ----------------------------------------------------------------------------

    def get(self, ticket: SessionTicket) -> SessionRecord | None:
        key = self._record_key(ticket)
        data = self._read(key)
        blob, login_at = data.get(_BLOB), data.get(_LOGIN)
        if not isinstance(blob, str) or not isinstance(login_at, int | float):
            return None
        try:
            record = ticket.decrypt(base64.b64decode(blob, validate=True))
        except (binascii.Error, ValueError):
            return None
        if record is None or record.expires_at < time.time():
            return None
        if self._revoked(record, float(login_at)):
            self._remove(key)
            return None
        return record

    def _revoked(self, record: SessionRecord, login_at: float) -> bool:
        if record.sid and _REVOKED in self._read(self._revocation_key("sid", record.sid)):
            return True  # a Keycloak session never comes back once logged out
        if record.sub:
            revoked_at = self._read(self._revocation_key("sub", record.sub)).get(_REVOKED)
            # A user logged out everywhere may log in again afterwards.
            return isinstance(revoked_at, int | float) and login_at <= revoked_at
        return False

    def put(self, ticket: SessionTicket, record: SessionRecord) -> None:
        key = self._record_key(ticket)
        # A refresh keeps the login time, so a logout between the read and this write holds.
        login_at = self._read(key).get(_LOGIN)
        if not isinstance(login_at, int | float):
            login_at = time.time()
        data = {_BLOB: base64.b64encode(ticket.encrypt(record)).decode("ascii"), _LOGIN: login_at}
        self._write(key, data, record.expires_at - time.time())

    def delete(self, ticket: SessionTicket) -> None:
        self._remove(self._record_key(ticket))

    def delete_by_sid(self, sid: str) -> int:
        """Refuse every session of this Keycloak session from now on, in every worker.

        Returns 0: sessions are refused when next read, not counted."""
        self._write(self._revocation_key("sid", sid), {_REVOKED: time.time()}, self.revocation_ttl)
        return 0

    def delete_by_subject(self, sub: str) -> int:
        """Refuse every session this user logged in before now, in every worker (returns 0)."""
        self._write(self._revocation_key("sub", sub), {_REVOKED: time.time()}, self.revocation_ttl)
        return 0


class DjangoSessionStore:
    """Sessions in Django's session framework (`SESSION_ENGINE`, or `engine`): its database,
    cache or cached_db engine. Awaitable calls run the blocking ones in Django's
    thread-sensitive executor, as Django's own async ORM calls do; `blocking` is what the
    Django middleware uses. Both see the same sessions."""

    def __init__(self, engine: str | None = None, *, revocation_ttl: float = 7 * 86400.0) -> None:
        self.blocking = SyncDjangoSessionStore(engine, revocation_ttl=revocation_ttl)

    def __repr__(self) -> str:
        return f"DjangoSessionStore(engine={self.blocking._engine_name!r})"

    async def get(self, ticket: SessionTicket) -> SessionRecord | None:
        return await sync_to_async(self.blocking.get)(ticket)

    async def put(self, ticket: SessionTicket, record: SessionRecord) -> None:
        await sync_to_async(self.blocking.put)(ticket, record)

    async def delete(self, ticket: SessionTicket) -> None:
        await sync_to_async(self.blocking.delete)(ticket)

    async def delete_by_sid(self, sid: str) -> int:
        return await sync_to_async(self.blocking.delete_by_sid)(sid)

    async def delete_by_subject(self, sub: str) -> int:
        return await sync_to_async(self.blocking.delete_by_subject)(sub)
