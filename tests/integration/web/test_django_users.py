"""Django specifics: users created and updated from claims, roles as groups, DRF."""

from __future__ import annotations

import pytest

from tests.conftest import RunningKeycloak
from tests.integration.web._login import browser_login
from tests.integration.web.conftest import ServedApp
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
