"""`KeycloakBackend`: a Django user for each Keycloak identity, kept in sync with its claims.

Settings (all optional):
  KEYCLOAK_USERNAME_CLAIM   claim naming the Django username (default "preferred_username",
                            falling back to "sub")
  KEYCLOAK_SYNC_GROUPS      map roles to Django groups (default True): realm roles by name,
                            client roles as "client:role"
  KEYCLOAK_GROUP_PREFIX     prefix of the managed groups (default "")
  KEYCLOAK_STAFF_ROLES      roles that make a user is_staff (default ())
  KEYCLOAK_SUPERUSER_ROLES  roles that make a user is_superuser (default ())
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import AbstractBaseUser, Group
from django.http import HttpRequest
from keycloak_sdk.extensions.web.guards import has_role
from keycloak_sdk.extensions.web.identity import Identity


def role_names(identity: Identity) -> set[str]:
    names = set(identity.realm_roles)
    for client, roles in identity.claims.resource_access.items():
        names.update(f"{client}:{role}" for role in roles)
    return names


class KeycloakBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, keycloak_identity: Identity | None = None, **_: Any
    ) -> AbstractBaseUser | None:
        if keycloak_identity is None:
            return None
        claims = keycloak_identity.claims
        claim = getattr(settings, "KEYCLOAK_USERNAME_CLAIM", "preferred_username")
        username = claims.get(claim) or claims.sub
        if not isinstance(username, str) or not username:
            return None
        model = get_user_model()
        lookup: dict[str, Any] = {str(model.USERNAME_FIELD): username[:150]}
        user, _created = model._default_manager.get_or_create(**lookup)
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
        dirty = [k for k, v in changes.items() if hasattr(user, k) and getattr(user, k) != v]
        for key in dirty:
            setattr(user, key, changes[key])
        if dirty:
            user.save(update_fields=dirty)
        if getattr(settings, "KEYCLOAK_SYNC_GROUPS", True) and hasattr(user, "groups"):
            self._sync_groups(user, keycloak_identity)
        return user

    def _sync_groups(self, user: Any, identity: Identity) -> None:
        prefix = getattr(settings, "KEYCLOAK_GROUP_PREFIX", "")
        wanted = {f"{prefix}{name}"[:150] for name in role_names(identity)}
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
