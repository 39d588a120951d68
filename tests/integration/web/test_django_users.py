"""Django specifics: users created and updated from claims, roles as groups, DRF."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test.utils import CaptureQueriesContext
from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.django._user_sync import synced_users
from keycloak_sdk.extensions.web.identity import Identity

from tests.helpers.keycloak import RunningKeycloak
from tests.helpers.web_apps import ServedApp
from tests.integration.web._login import browser_login
from tests.integration.web.test_behaviour import bearer, user_token

pytestmark = pytest.mark.parametrize("served", ["django"], indirect=True)


def test_login_creates_a_user_with_groups_from_roles(served: ServedApp) -> None:
    with served.client() as app:
        browser_login(app, "/profile", "bob", "bob-password")
        profile = app.get("/profile").json()
    assert profile["user"] == "bob"
    assert {"admin", "user", "sdk-confidential:writer", "sdk-confidential:reader"} <= set(
        profile["groups"]
    )
    assert profile["is_staff"] is True  # KEYCLOAK_STAFF_ROLES = ("admin",)

    from django.contrib.auth.models import User

    bob = User.objects.get(username="bob")
    assert bob.email == "bob@example.com"
    assert (bob.first_name, bob.last_name) == ("Bob", "Builder")


def test_groups_follow_role_changes(served: ServedApp, keycloak: RunningKeycloak) -> None:
    from django.contrib.auth.models import Group, User

    stale, _ = Group.objects.get_or_create(name="removed-role")
    carol, _ = User.objects.get_or_create(username="carol")
    carol.groups.add(stale)
    with served.client() as app:
        response = app.get("/api/me", headers=bearer(user_token(keycloak, "carol")))
    assert response.status_code == 200, response.text
    assert response.json()["user"] == "carol"  # served by DRF's KeycloakAuthentication
    assert not User.objects.get(username="carol").groups.filter(name="removed-role").exists()


def test_drf_rejects_bad_tokens_with_a_bearer_challenge(served: ServedApp) -> None:
    with served.client() as app:
        response = app.get("/api/me", headers=bearer("x.y.z"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="sdk-test"')


def _identity_of(token: str) -> Identity:
    from keycloak_sdk.extensions.django._engine import get_engine

    identity = get_engine().identify_bearer_sync(token)
    assert identity is not None
    return identity


def _with_roles(identity: Identity, realm_roles: list[str]) -> Identity:
    claims = dict(identity.claims.raw)
    claims["realm_access"] = {"roles": realm_roles}
    return replace(identity, claims=AccessTokenClaims(claims))


def _writes(queries: CaptureQueriesContext) -> list[str]:
    reads = ("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(reads)]


def test_a_repeated_token_is_not_synced_again_until_its_roles_change(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from keycloak_sdk.extensions.django.backend import KeycloakBackend

    backend = KeycloakBackend()
    identity = _identity_of(user_token(keycloak, "bob"))
    synced_users.clear()
    with CaptureQueriesContext(connection) as first:
        bob = backend.authenticate(None, keycloak_identity=identity)
    assert first.captured_queries  # the first sight of these claims reads the database
    with CaptureQueriesContext(connection) as again:
        same = backend.authenticate(None, keycloak_identity=identity)
    assert again.captured_queries == []
    assert isinstance(same, User) and isinstance(bob, User) and same is not bob
    assert (same.pk, same.get_username(), same.is_staff) == (bob.pk, "bob", True)

    demoted = _with_roles(identity, ["user"])
    with CaptureQueriesContext(connection) as changed:
        after = backend.authenticate(None, keycloak_identity=demoted)
    assert _writes(changed)  # the new role set is written at once, not after the TTL
    assert isinstance(after, User) and after.is_staff is False  # STAFF_ROLES = ("admin",)
    stored = User.objects.get(username="bob")
    assert stored.is_staff is False
    assert not stored.groups.filter(name="admin").exists()
    assert stored.groups.filter(name="user").exists()

    # The token that still says admin is re-synced too: its fingerprint is no longer the latest.
    restored = backend.authenticate(None, keycloak_identity=identity)
    assert isinstance(restored, User) and restored.is_staff is True
    assert User.objects.get(username="bob").groups.filter(name="admin").exists()


def test_a_local_write_to_a_synced_user_is_corrected_on_the_next_request(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    from django.contrib.auth.models import Group, User
    from keycloak_sdk.extensions.django.backend import KeycloakBackend

    backend = KeycloakBackend()
    identity = _identity_of(user_token(keycloak, "alice"))
    backend.authenticate(None, keycloak_identity=identity)
    stray, _ = Group.objects.get_or_create(name="granted-by-hand")
    alice = User.objects.get(username="alice")
    alice.groups.add(stray)
    alice.email = "changed@example.com"
    alice.save(update_fields=["email"])
    backend.authenticate(None, keycloak_identity=identity)
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert not alice.groups.filter(name="granted-by-hand").exists()


def test_requests_skip_django_authenticate_and_its_signals(
    served: ServedApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """request.user comes straight from KeycloakBackend (its synced-user cache), never through
    django.contrib.auth.authenticate() and its per-backend signature inspection."""
    import django.contrib.auth

    calls: list[object] = []

    def counting_authenticate(*args: object, **kwargs: object) -> None:
        calls.append(kwargs)

    with served.client() as app:
        browser_login(app, "/profile", "alice", "alice-password")
        monkeypatch.setattr(django.contrib.auth, "authenticate", counting_authenticate)
        for _ in range(3):
            profile = app.get("/profile")
            assert profile.status_code == 200
            assert profile.json()["user"] == "alice"
    assert calls == []


def test_a_settings_change_is_seen_by_a_repeated_token(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    """What `KeycloakBackend` derives from a token's claims and the settings is kept per token
    (a repeated token skips the settings, the role walk and the fingerprint); a changed setting
    drops it, so the very next request syncs by the new rule."""
    from django.contrib.auth.models import User
    from django.test import override_settings
    from keycloak_sdk.extensions.django.backend import KeycloakBackend

    backend = KeycloakBackend()
    identity = _identity_of(user_token(keycloak, "bob"))
    first = backend.authenticate(None, keycloak_identity=identity)
    assert isinstance(first, User) and first.is_staff is True  # STAFF_ROLES = ("admin",)
    with override_settings(KEYCLOAK_STAFF_ROLES=()):
        demoted = backend.authenticate(None, keycloak_identity=identity)
        assert isinstance(demoted, User) and demoted.is_staff is False
        assert User.objects.get(username="bob").is_staff is False
    restored = backend.authenticate(None, keycloak_identity=identity)
    assert isinstance(restored, User) and restored.is_staff is True


def test_a_new_token_with_the_same_claims_reuses_the_sync_and_a_changed_one_syncs(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    """A user's next access token (new `jti`, `iat`, `exp`, the same roles and profile) is
    served from the synced user without the database; one whose roles or email changed is
    written at once, whatever was remembered for the earlier tokens."""
    from django.contrib.auth.models import User
    from django.db import connection
    from keycloak_sdk.extensions.django.backend import KeycloakBackend

    backend = KeycloakBackend()
    first = _identity_of(user_token(keycloak, "bob"))
    synced_users.clear()
    bob = backend.authenticate(None, keycloak_identity=first)
    assert isinstance(bob, User) and bob.is_staff is True  # STAFF_ROLES = ("admin",)

    claims = dict(first.claims.raw)
    issued, expires = first.claims.iat or 0, first.claims.exp or 0
    claims.update(jti="another-token", iat=issued + 1, exp=expires + 1)
    following = replace(first, access_token="another.token", claims=AccessTokenClaims(claims))
    with CaptureQueriesContext(connection) as reused:
        same = backend.authenticate(None, keycloak_identity=following)
    assert reused.captured_queries == []
    assert isinstance(same, User) and (same.pk, same.is_staff) == (bob.pk, True)

    claims.update(realm_access={"roles": ["user"]}, email="bob@elsewhere.example")
    changed = replace(first, access_token="third.token", claims=AccessTokenClaims(claims))
    with CaptureQueriesContext(connection) as written:
        after = backend.authenticate(None, keycloak_identity=changed)
    assert _writes(written)
    assert isinstance(after, User) and after.is_staff is False
    stored = User.objects.get(username="bob")
    assert (stored.is_staff, stored.email) == (False, "bob@elsewhere.example")
    assert not stored.groups.filter(name="admin").exists()
    backend.authenticate(None, keycloak_identity=first)  # bob's real roles again
    assert User.objects.get(username="bob").is_staff is True
