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
class _SyncPlan:
    """What `authenticate` derives from one token's claims and the settings."""

    claims: AccessTokenClaims
    username: str
    changes: dict[str, Any]
    sync_groups: bool
    prefix: str
    groups: list[str]
    ttl: float
    synced_from: str


# Plans by access token: a repeated token (the same claims object from the verified-token
# cache) skips the settings lookups, the role walk and the fingerprint's JSON and SHA-256.
# Bounded (emptied when full) and emptied when a setting changes.
_plans: dict[str, _SyncPlan] = {}
_MAX_PLANS = 1024


def _forget_plans(**_: Any) -> None:
    _plans.clear()


setting_changed.connect(_forget_plans, weak=False)


class KeycloakBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, keycloak_identity: Identity | None = None, **_: Any
    ) -> AbstractBaseUser | None:
        if keycloak_identity is None:
            return None
        token = keycloak_identity.access_token
        plan = _plans.get(token)
        if plan is None or plan.claims is not keycloak_identity.claims:
            plan = self._plan(keycloak_identity)
            if plan is None:
                return None
            if len(_plans) >= _MAX_PLANS:
                _plans.clear()
            _plans[token] = plan
        model = get_user_model()
        subject = plan.claims.sub
        if plan.ttl > 0 and subject:
            entry = synced_users.get(subject, plan.synced_from)
            if entry is not None:
                cached: AbstractBaseUser = model.from_db(
                    entry.database, list(entry.field_names), list(entry.values)
                )
                return cached
        user: AbstractBaseUser = self._sync(
            model,
            plan.username,
            plan.changes,
            plan.groups if plan.sync_groups else None,
            plan.prefix,
        )
        if plan.ttl > 0 and subject:
            self._remember(model, user, subject, plan.synced_from, plan.ttl)
        return user

    @staticmethod
    def _plan(identity: Identity) -> _SyncPlan | None:
        claims = identity.claims
        claim = getattr(settings, "KEYCLOAK_USERNAME_CLAIM", "preferred_username")
        username = claims.get(claim) or claims.sub
        if not isinstance(username, str) or not username:
            return None
        model = get_user_model()
        changes = {
            "email": claims.email or "",
            "first_name": (claims.given_name or "")[:150],
            "last_name": (claims.family_name or "")[:150],
            "is_staff": any(
                has_role(claims, r) for r in getattr(settings, "KEYCLOAK_STAFF_ROLES", ())
            ),
            "is_superuser": any(
                has_role(claims, r) for r in getattr(settings, "KEYCLOAK_SUPERUSER_ROLES", ())
            ),
        }
        sync_groups = bool(getattr(settings, "KEYCLOAK_SYNC_GROUPS", True))
        prefix = str(getattr(settings, "KEYCLOAK_GROUP_PREFIX", ""))
        groups = (
            sorted({f"{prefix}{name}"[:150] for name in role_names(identity)})
            if sync_groups
            else []
        )
        ttl = float(getattr(settings, "KEYCLOAK_USER_SYNC_TTL", DEFAULT_TTL))
        # Everything the sync writes depends on exactly these values.
        synced_from = fingerprint(
            [model._meta.label, username[:150], changes, sync_groups, prefix, groups]
        )
        return _SyncPlan(
            claims, username[:150], changes, sync_groups, prefix, groups, ttl, synced_from
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
    def _remember(model: Any, user: Any, subject: str, synced_from: str, ttl: float) -> None:
        watch_writes(model)
        fields = model._meta.concrete_fields
        database = user._state.db or router.db_for_read(model)
        entry = SyncedUser(
            fingerprint=synced_from,
            expires_at=time.monotonic() + ttl,
            database=database,
            field_names=tuple(f.attname for f in fields),
            values=tuple(getattr(user, f.attname) for f in fields),
            pk=user.pk,
        )
        size = int(getattr(settings, "KEYCLOAK_USER_SYNC_CACHE_SIZE", DEFAULT_SIZE))
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
