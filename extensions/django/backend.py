"""`KeycloakBackend`: a Django user for each Keycloak identity, kept in sync with its claims.

Settings (all optional):
  KEYCLOAK_USERNAME_CLAIM   claim naming the Django username (default "preferred_username",
                            falling back to "sub")
  KEYCLOAK_SYNC_GROUPS      map roles to Django groups (default True): realm roles by name,
                            client roles as "client:role"
  KEYCLOAK_GROUP_PREFIX     prefix of the managed groups (default "")
  KEYCLOAK_STAFF_ROLES      roles that make a user is_staff (default ())
  KEYCLOAK_SUPERUSER_ROLES  roles that make a user is_superuser (default ())
  KEYCLOAK_USER_SYNC_TTL    seconds a sync stays trusted while the token's user claims and
                            roles are unchanged (default 60; 0 syncs on every request)
  KEYCLOAK_USER_SYNC_CACHE_SIZE  users remembered per process (default 1024)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.signals import setting_changed
from django.db import router, transaction
from django.http import HttpRequest
from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.django._engine import on_reset
from keycloak_sdk.extensions.django._user_sync import (
    DEFAULT_SIZE,
    DEFAULT_TTL,
    SyncedUser,
    fingerprint,
    synced_users,
    watch_writes,
)
from keycloak_sdk.extensions.web.guards import has_role
from keycloak_sdk.extensions.web.identity import Identity


def role_names(identity: Identity) -> set[str]:
    names = set(identity.realm_roles)
    for client, roles in identity.claims.resource_access.items():
        names.update(f"{client}:{role}" for role in roles)
    return names


@dataclass(frozen=True)
class _SyncSettings:
    """The settings the sync reads, looked up once (not with `getattr(settings, ...)` per
    request); read again after a setting changes or the engine is rebuilt."""

    model: Any
    username_claim: str
    staff_roles: tuple[str, ...]
    superuser_roles: tuple[str, ...]
    sync_groups: bool
    prefix: str
    ttl: float
    cache_size: int

    @classmethod
    def read(cls) -> _SyncSettings:
        return cls(
            model=get_user_model(),
            username_claim=str(getattr(settings, "KEYCLOAK_USERNAME_CLAIM", "preferred_username")),
            staff_roles=tuple(getattr(settings, "KEYCLOAK_STAFF_ROLES", ())),
            superuser_roles=tuple(getattr(settings, "KEYCLOAK_SUPERUSER_ROLES", ())),
            sync_groups=bool(getattr(settings, "KEYCLOAK_SYNC_GROUPS", True)),
            prefix=str(getattr(settings, "KEYCLOAK_GROUP_PREFIX", "")),
            ttl=float(getattr(settings, "KEYCLOAK_USER_SYNC_TTL", DEFAULT_TTL)),
            cache_size=int(getattr(settings, "KEYCLOAK_USER_SYNC_CACHE_SIZE", DEFAULT_SIZE)),
        )


@dataclass(frozen=True)
class _SyncPlan:
    """What `authenticate` derives from the claims that drive the sync and the settings."""

    subject: str | None
    username: str
    changes: dict[str, Any]
    groups: list[str] | None
    synced_from: str


# The settings, and plans by the claims that drive the sync: a user's next token (new `jti`,
# `iat`, `exp`; the same roles and profile) skips the role walk and the fingerprint's JSON and
# SHA-256. Bounded (emptied when full); both emptied when a setting changes or the engine is
# rebuilt (`_engine.reset()`), so the very next request syncs by the new rule.
_current: list[_SyncSettings] = []
_plans: dict[str, _SyncPlan] = {}
_MAX_PLANS = 1024


def _sync_settings() -> _SyncSettings:
    if not _current:
        _current[:] = [_SyncSettings.read()]
    return _current[0]


def _forget_plans(**_: Any) -> None:
    _current.clear()
    _plans.clear()


setting_changed.connect(_forget_plans, weak=False)
on_reset(_forget_plans)


def _driving_claims(claims: AccessTokenClaims, options: _SyncSettings) -> str:
    """Every claim a plan is derived from (`_plan` reads no other), as one key. The claims are
    a token's parsed JSON, whose values (str, int, float, bool, None, list, dict) are equal
    exactly when their reprs are; a reordered dict only costs a miss."""
    return repr(
        (
            claims.get("sub"),
            claims.get(options.username_claim),
            claims.get("email"),
            claims.get("given_name"),
            claims.get("family_name"),
            claims.get("realm_access"),
            claims.get("resource_access"),
        )
    )


class KeycloakBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, keycloak_identity: Identity | None = None, **_: Any
    ) -> AbstractBaseUser | None:
        if keycloak_identity is None:
            return None
        options = _sync_settings()
        key = _driving_claims(keycloak_identity.claims, options)
        plan = _plans.get(key)
        if plan is None:
            plan = self._plan(keycloak_identity, options)
            if plan is None:
                return None
            if len(_plans) >= _MAX_PLANS:
                _plans.clear()
            _plans[key] = plan
        model = options.model
        subject = plan.subject
        if options.ttl > 0 and subject:
            entry = synced_users.get(subject, plan.synced_from)
            if entry is not None:
                cached: AbstractBaseUser = model.from_db(
                    entry.database, list(entry.field_names), list(entry.values)
                )
                return cached
        user: AbstractBaseUser = self._sync(
            model, plan.username, plan.changes, plan.groups, options.prefix
        )
        if options.ttl > 0 and subject:
            self._remember(model, user, subject, plan.synced_from, options)
        return user

    @staticmethod
    def _plan(identity: Identity, options: _SyncSettings) -> _SyncPlan | None:
        claims = identity.claims
        username = claims.get(options.username_claim) or claims.sub
        if not isinstance(username, str) or not username:
            return None
        changes = {
            "email": claims.email or "",
            "first_name": (claims.given_name or "")[:150],
            "last_name": (claims.family_name or "")[:150],
            "is_staff": any(has_role(claims, r) for r in options.staff_roles),
            "is_superuser": any(has_role(claims, r) for r in options.superuser_roles),
        }
        prefix = options.prefix
        groups = (
            sorted({f"{prefix}{name}"[:150] for name in role_names(identity)})
            if options.sync_groups
            else []
        )
        # Everything the sync writes depends on exactly these values.
        label = options.model._meta.label
        synced_from = fingerprint(
            [label, username[:150], changes, options.sync_groups, prefix, groups]
        )
        return _SyncPlan(
            claims.sub,
            username[:150],
            changes,
            groups if options.sync_groups else None,
            synced_from,
        )

    def _sync(
        self,
        model: Any,
        username: str,
        changes: dict[str, Any],
        groups: list[str] | None,
        prefix: str,
    ) -> Any:
        lookup: dict[str, Any] = {str(model.USERNAME_FIELD): username}
        user, _created = model._default_manager.get_or_create(**lookup)
        dirty = [k for k, v in changes.items() if hasattr(user, k) and getattr(user, k) != v]
        for key in dirty:
            setattr(user, key, changes[key])
        if dirty:
            user.save(update_fields=dirty)
        if groups is not None and hasattr(user, "groups"):
            self._sync_groups(user, set(groups), prefix)
        return user

    @staticmethod
    def _remember(
        model: Any, user: Any, subject: str, synced_from: str, options: _SyncSettings
    ) -> None:
        watch_writes(model)
        fields = model._meta.concrete_fields
        database = user._state.db or router.db_for_read(model)
        entry = SyncedUser(
            fingerprint=synced_from,
            expires_at=time.monotonic() + options.ttl,
            database=database,
            field_names=tuple(f.attname for f in fields),
            values=tuple(getattr(user, f.attname) for f in fields),
            pk=user.pk,
        )
        size = options.cache_size
        # Inside a transaction the rows may still be rolled back: trust them once committed
        # (immediately when no transaction is open).
        transaction.on_commit(lambda: synced_users.put(subject, entry, size), using=database)

    def _sync_groups(self, user: Any, wanted: set[str], prefix: str) -> None:
        current = set(user.groups.values_list("name", flat=True))
        managed = {n for n in current if n.startswith(prefix)} if prefix else current
        if managed == wanted:
            return
        for name in wanted - managed:
            group, _ = Group.objects.get_or_create(name=name)
            user.groups.add(group)
        stale = managed - wanted
        if stale:
            user.groups.remove(*Group.objects.filter(name__in=stale))

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        model = get_user_model()
        try:
            return model._default_manager.get(pk=user_id)
        except model.DoesNotExist:
            return None
