"""Which users were synced from which claims: a small per-process cache for `KeycloakBackend`.

A bearer API sees the same token (and so the same claims) on request after request; writing
the user and its groups again each time costs several queries for nothing. An entry records a
fingerprint of the claims that drive the sync and a snapshot of the user row written from them;
while the fingerprint matches and the entry is younger than `KEYCLOAK_USER_SYNC_TTL` seconds
the backend rebuilds the user from the snapshot without touching the database. Any other
fingerprint (a new role, a renamed user) misses and syncs. Writes to users or group memberships
in this process drop the affected entries, so the TTL only bounds how long a change made by
another process can go unseen.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_TTL = 60.0
DEFAULT_SIZE = 1024


@dataclass(frozen=True)
class SyncedUser:
    fingerprint: str
    expires_at: float
    database: str
    field_names: tuple[str, ...]
    values: tuple[Any, ...]
    pk: Any


def fingerprint(parts: Iterable[object]) -> str:
    encoded = json.dumps(list(parts), sort_keys=True, separators=(",", ":"), default=sorted)
    return hashlib.sha256(encoded.encode()).hexdigest()


class UserSyncCache:
    """Bounded (least recently used out first), thread-safe, keyed by the token's `sub`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, SyncedUser] = OrderedDict()

    def get(self, subject: str, fingerprint: str) -> SyncedUser | None:
        with self._lock:
            entry = self._entries.get(subject)
            if entry is None:
                return None
            if entry.fingerprint != fingerprint or entry.expires_at <= time.monotonic():
                del self._entries[subject]
                return None
            self._entries.move_to_end(subject)
            return entry

    def put(self, subject: str, entry: SyncedUser, size: int) -> None:
        with self._lock:
            self._entries[subject] = entry
            self._entries.move_to_end(subject)
            while len(self._entries) > max(size, 1):
                self._entries.popitem(last=False)

    def forget_user(self, pk: Any) -> None:
        with self._lock:
            for subject in [s for s, e in self._entries.items() if e.pk == pk]:
                del self._entries[subject]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


synced_users = UserSyncCache()


def _user_saved_or_deleted(sender: Any, instance: Any, **_: Any) -> None:
    synced_users.forget_user(instance.pk)


def _memberships_changed(sender: Any, instance: Any, reverse: bool, pk_set: Any, **_: Any) -> None:
    if reverse:
        # A group's members changed (`group.user_set.add(...)`): `pk_set` holds user pks.
        for pk in pk_set or ():
            synced_users.forget_user(pk)
        if pk_set is None:
            synced_users.clear()
    else:
        synced_users.forget_user(instance.pk)


def _group_changed(sender: Any, instance: Any, **_: Any) -> None:
    synced_users.clear()


_connected = threading.Lock()
_connected_models: set[Any] = set()


def watch_writes(user_model: Any) -> None:
    """Drop entries when this process writes users, memberships or groups (once per model)."""
    with _connected:
        if user_model in _connected_models:
            return
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        post_save.connect(_user_saved_or_deleted, sender=user_model, weak=False)
        post_delete.connect(_user_saved_or_deleted, sender=user_model, weak=False)
        groups = getattr(user_model, "groups", None)
        through = getattr(groups, "through", None)
        if through is not None:
            m2m_changed.connect(_memberships_changed, sender=through, weak=False)
        post_save.connect(_group_changed, sender=Group, weak=False)
        post_delete.connect(_group_changed, sender=Group, weak=False)
        _connected_models.add(user_model)
