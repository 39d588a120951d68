"""`DjangoSessionStore` against a real Django session engine, in a process of its own (Django
keeps one settings module per process): `python -m tests.integration.web._django_store_checks
db|cache|cache-down <sqlite path> <redis url>`. Exits 0 when every check held."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time

import django
from django.conf import settings

TOKENS = ("eyJ.access.SECRET-ACCESS", "eyJ.refresh.SECRET-REFRESH", "eyJ.id.SECRET-ID")


def configure(mode: str, database: str, redis_url: str) -> None:
    settings.configure(
        SECRET_KEY="s" * 50,
        INSTALLED_APPS=["django.contrib.sessions"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": database,
                "OPTIONS": {
                    "timeout": 30,
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL;",
                },
            }
        },
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
            }
        },
        SESSION_ENGINE=(
            "django.contrib.sessions.backends.db"
            if mode == "db"
            else "django.contrib.sessions.backends.cache"
        ),
        USE_TZ=True,
    )
    django.setup()
    if mode == "db":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def main(mode: str, database: str, redis_url: str) -> None:
    configure(mode, database, redis_url)
    from keycloak_sdk.extensions.django._engine import session_store
    from keycloak_sdk.extensions.django.sessions import DjangoSessionStore
    from keycloak_sdk.extensions.web.sessions import (
        SessionRecord,
        SessionStoreError,
        SessionTicket,
        StoredTokens,
    )

    tokens = StoredTokens(*TOKENS, 1e12, None)

    def record(sid: str | None, sub: str | None, ttl: float = 60) -> SessionRecord:
        return SessionRecord(time.time() + ttl, tokens, sid, sub, {"name": "Alice"})

    made = session_store("keycloak_sdk.extensions.django.sessions.DjangoSessionStore")
    assert isinstance(made, DjangoSessionStore)
    assert isinstance(session_store("django"), DjangoSessionStore)
    store = made.blocking

    if mode == "cache-down":
        try:
            store.get(SessionTicket.new())
        except SessionStoreError:
            pass
        else:
            raise AssertionError("an unreachable cache read as 'no session'")
        try:
            store.put(SessionTicket.new(), record("s", "u"))
        except SessionStoreError:
            return
        raise AssertionError("an unreachable cache accepted a write")

    # put / get / delete, and a ticket without the key reads nothing
    ticket = SessionTicket.new()
    assert store.get(ticket) is None
    store.put(ticket, record("sid-1", "sub-1"))
    found = store.get(ticket)
    assert found is not None and found.tokens == tokens and found.user == {"name": "Alice"}
    assert store.get(SessionTicket(ticket.session_id, bytes(32))) is None
    store.put(ticket, record("sid-1", "sub-1"))  # a refresh rewrites the same entry
    assert store.get(ticket) is not None
    store.delete(ticket)
    assert store.get(ticket) is None

    # expiry: Django's own (expire_date / cache timeout) and the record's
    expired = SessionTicket.new()
    store.put(expired, record(None, None, ttl=-1))
    assert store.get(expired) is None

    # back-channel logout: by sid, by subject; a later login of the same user still works
    a, b, c = SessionTicket.new(), SessionTicket.new(), SessionTicket.new()
    store.put(a, record("s1", "u1"))
    store.put(b, record("s1", "u1"))
    store.put(c, record("s2", "u2"))
    store.delete_by_sid("s1")
    assert store.get(a) is None and store.get(b) is None and store.get(c) is not None
    store.delete_by_subject("u2")
    assert store.get(c) is None
    time.sleep(0.01)
    again = SessionTicket.new()
    store.put(again, record("s3", "u2"))
    assert store.get(again) is not None
    # the sid's logout holds for any later record of that Keycloak session
    late = SessionTicket.new()
    store.put(late, record("s1", "u9"))
    assert store.get(late) is None

    # the async form sees the same sessions
    async def through_async() -> None:
        from asgiref.sync import sync_to_async

        shared = SessionTicket.new()
        await made.put(shared, record("s4", "u4"))
        assert (await sync_to_async(store.get)(shared)) is not None
        assert (await made.get(shared)) is not None
        await made.delete_by_sid("s4")
        assert (await made.get(shared)) is None
        assert (await sync_to_async(store.get)(shared)) is None

    asyncio.run(through_async())

    # a dump of what Django holds yields no token and no session id
    kept = SessionTicket.new()
    store.put(kept, record("keycloak-sid-kept", "keycloak-sub-kept"))
    dump = _dump(mode, database, redis_url)
    for secret in (*TOKENS, kept.session_id, "Alice", "keycloak-sid-kept", "keycloak-sub-kept"):
        assert secret.encode() not in dump, secret


def _dump(mode: str, database: str, redis_url: str) -> bytes:
    if mode == "db":
        with sqlite3.connect(database) as db:
            rows = db.execute("select session_key, session_data from django_session").fetchall()
        from django.contrib.sessions.backends.db import SessionStore

        # Django signs but does not encrypt session data: decode it, as a thief could.
        decoded = [str(SessionStore().decode(data)) for _, data in rows]
        return repr((rows, decoded)).encode()
    from redis import Redis

    client = Redis.from_url(redis_url)
    return (
        b"".join(key + (client.dump(key) or b"") for key in client.scan_iter(count=1000))
        + repr([client.get(k) for k in client.scan_iter()]).encode()
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
    print("ok")
