"""One behaviour suite, run against every framework's example app and the real Keycloak."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.helpers.keycloak import RunningKeycloak
from tests.helpers.web_apps import ServedApp
from tests.integration.web._login import browser_login

CLIENT = ("sdk-confidential", "sdk-confidential-secret")
UMA_GRANT = "urn:ietf:params:oauth:grant-type:uma-ticket"


def user_token(keycloak: RunningKeycloak, username: str, scope: str = "openid") -> str:
    response = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "username": username,
            "password": f"{username}-password",
            "scope": scope,
        },
        auth=CLIENT,
        timeout=30,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin_token(keycloak: RunningKeycloak) -> str:
    response = httpx.post(
        f"{keycloak.base_url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": keycloak.admin_user,
            "password": keycloak.admin_password,
        },
        timeout=30,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def test_browser_login_returns_to_the_original_url(served: ServedApp) -> None:
    with served.client() as app:
        first = app.get("/profile?tab=keys")
        assert first.status_code == 302
        query = parse_qs(urlsplit(first.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"]
        assert query["state"] and query["nonce"]
        assert query["redirect_uri"] == [f"{served.base_url}/kc/callback"]
    with served.client() as app:
        done = browser_login(app, "/profile?tab=keys", "alice", "alice-password")
        assert done.status_code == 302
        assert done.headers["location"] == "/profile?tab=keys"
        cookie = done.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        # Small and opaque: the tokens stay on the server.
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        assert len(value) < 200 and "eyJ" not in value
        profile = app.get("/profile?tab=keys")
        assert profile.status_code == 200, profile.text
        assert profile.json()["user"] == "alice"
        assert profile.json()["source"] == "session"


def test_session_id_is_issued_only_at_login(served: ServedApp) -> None:
    """No session for anonymous visitors (the pending login is in its own short-lived
    cookie), and a session cookie planted before the login is replaced by a fresh one."""
    with served.client() as planted_by_attacker:
        attacker = browser_login(planted_by_attacker, "/profile", "bob", "bob-password")
        planted = attacker.cookies.get("kc_session")
        assert planted
    with served.client() as app:
        start = app.get("/profile")
        assert "kc_session" not in start.cookies
        login_cookie = start.headers["set-cookie"]
        assert login_cookie.startswith("kc_login=") and "Max-Age=600;" in login_cookie
        app.cookies.set("kc_session", planted, domain="127.0.0.1")
        from tests.keycloak_browser import KeycloakBrowser

        with KeycloakBrowser() as browser:
            back = browser.submit_login(start.headers["location"], "alice", "alice-password")
        parts = urlsplit(back)
        done = app.get(f"{parts.path}?{parts.query}")
        after = done.cookies.get("kc_session")
        assert after and after != planted
        assert app.get("/profile").json()["user"] == "alice"
        # The planted cookie was the attacker's own session: ended, not shared with alice.
        with served.client() as attacker_again:
            attacker_again.cookies.set("kc_session", planted, domain="127.0.0.1")
            assert attacker_again.get("/profile").status_code == 302


def test_return_to_refuses_open_redirects(served: ServedApp) -> None:
    with served.client() as app:
        done = browser_login(app, "/kc/login?next=//evil.example/x", "alice", "alice-password")
        assert done.status_code == 302
        assert done.headers["location"] == "/"


def test_public_routes_need_nothing(served: ServedApp) -> None:
    with served.client() as app:
        assert app.get("/public").status_code == 200


@pytest.mark.parametrize(
    ("authorization", "status", "error"),
    [
        (None, 401, None),
        ("Bearer not-a-jwt", 401, "invalid_token"),
        ("Bearer a.b.c", 401, "invalid_token"),
        ("Bearer two words", 400, "invalid_request"),
        ("Basic YWxpY2U6eA==", 401, None),
    ],
)
def test_api_answers_rfc6750_never_a_redirect(
    served: ServedApp, authorization: str | None, status: int, error: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with served.client() as app:
        response = app.get("/api/me", headers=headers)
    assert response.status_code == status
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="sdk-test"')
    if error:
        assert f'error="{error}"' in challenge
    else:
        assert "error=" not in challenge


def test_api_accepts_a_valid_bearer_token(served: ServedApp, keycloak: RunningKeycloak) -> None:
    with served.client() as app:
        response = app.get("/api/me", headers=bearer(user_token(keycloak, "alice")))
    assert response.status_code == 200, response.text
    assert response.json()["user"] == "alice"


def test_role_guards(served: ServedApp, keycloak: RunningKeycloak) -> None:
    alice, bob, carol = (user_token(keycloak, name) for name in ("alice", "bob", "carol"))
    with served.client() as app:
        denied = app.get("/api/admin", headers=bearer(alice))
        assert denied.status_code == 403
        assert app.get("/api/admin", headers=bearer(bob)).status_code == 200
        assert app.get("/api/reader", headers=bearer(alice)).status_code == 200
        reader = app.get("/api/reader", headers=bearer(carol))
        assert reader.status_code == 403
    # Every framework, Starlette's own @requires included (its bare 403 gets the challenge).
    for refused in (denied, reader):
        assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]


def test_two_authorization_headers_are_400_on_a_real_server(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    token = user_token(keycloak, "alice")
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    with served.client() as app:
        response = app.get("/api/me", headers=headers)
    assert response.status_code == 400
    assert 'error="invalid_request"' in response.headers["www-authenticate"]


def test_scope_guards(served: ServedApp, keycloak: RunningKeycloak) -> None:
    plain = user_token(keycloak, "carol")
    extra = user_token(keycloak, "carol", scope="openid sdk-extra")
    with served.client() as app:
        assert app.get("/api/email", headers=bearer(plain)).status_code == 200
        refused = app.get("/api/extra", headers=bearer(plain))
        assert refused.status_code == 403
        assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
        assert app.get("/api/extra", headers=bearer(extra)).status_code == 200


def _uma_ticket(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('UMA realm="sdk-test"')
    assert 'as_uri="' in challenge
    return challenge.split('ticket="', 1)[1].split('"', 1)[0]


def test_enforcer_issues_a_ticket_that_buys_an_rpt(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    bob = user_token(keycloak, "bob")
    with served.client() as app:
        ticket = _uma_ticket(app.post("/documents/42", headers=bearer(bob)))
        rpt_response = httpx.post(
            f"{keycloak.issuer}/protocol/openid-connect/token",
            data={"grant_type": UMA_GRANT, "ticket": ticket},
            headers=bearer(bob),
            timeout=30,
        )
        assert rpt_response.status_code == 200, rpt_response.text
        rpt = rpt_response.json()["access_token"]
        allowed = app.post("/documents/42", headers=bearer(rpt))
        assert allowed.status_code == 200, allowed.text
        assert allowed.json()["document"] == "42"


def test_enforcer_denies_alice_writing(served: ServedApp, keycloak: RunningKeycloak) -> None:
    alice = user_token(keycloak, "alice")
    with served.client() as app:
        ticket = _uma_ticket(app.post("/documents/7", headers=bearer(alice)))
        refused = httpx.post(
            f"{keycloak.issuer}/protocol/openid-connect/token",
            data={"grant_type": UMA_GRANT, "ticket": ticket},
            headers=bearer(alice),
            timeout=30,
        )
        assert refused.status_code == 403  # Keycloak's policy: write needs the admin role
        read_ticket = _uma_ticket(app.get("/documents/7", headers=bearer(alice)))
        rpt = httpx.post(
            f"{keycloak.issuer}/protocol/openid-connect/token",
            data={"grant_type": UMA_GRANT, "ticket": read_ticket},
            headers=bearer(alice),
            timeout=30,
        ).json()["access_token"]
        assert app.get("/documents/7", headers=bearer(rpt)).status_code == 200
        # A read permission does not cover writing.
        assert app.post("/documents/7", headers=bearer(rpt)).status_code == 401


def test_silent_refresh_replaces_an_expired_access_token(served: ServedApp) -> None:
    with served.client() as app:
        browser_login(app, "/profile", "alice", "alice-password")
        store = served.engine.config.session_store
        records = [r for r in store._records.values() if r.tokens is not None]  # type: ignore[attr-defined]
        assert records
        for record in records:
            assert record.tokens is not None
            record.tokens.expires_at = time.time() - 1
        old = {r.tokens.access_token for r in records if r.tokens}
        response = app.get("/profile")
        assert response.status_code == 200, response.text
        new = {r.tokens.access_token for r in store._records.values() if r.tokens}  # type: ignore[attr-defined]
        assert new - old, "no access token was refreshed"


def test_rp_initiated_logout_by_post(served: ServedApp, keycloak: RunningKeycloak) -> None:
    with served.client() as app:
        browser_login(app, "/profile", "alice", "alice-password")
        confirm = app.get("/kc/logout", headers={"Sec-Fetch-Site": "cross-site"})
        assert confirm.status_code == 200 and 'method="post"' in confirm.text
        assert app.get("/profile").status_code == 200
        # A page on another port of the same host is another origin.
        other_port = served.base_url.rsplit(":", 1)[0] + ":1"
        assert app.post("/kc/logout", headers={"Origin": other_port}).status_code == 403
        assert app.get("/profile").status_code == 200
        # The home page's logout form (with Django's CSRF token in the Django example).
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', app.get("/").text)
        form = {"csrfmiddlewaretoken": token.group(1)} if token else {}
        assert bool(token) == (served.framework == "django")
        out = app.post("/kc/logout", data=form, headers={"Origin": served.base_url})
        assert out.status_code == 303
        location = out.headers["location"]
        assert location.startswith(f"{keycloak.issuer}/protocol/openid-connect/logout?")
        query = parse_qs(urlsplit(location).query)
        assert query["id_token_hint"]
        assert query["post_logout_redirect_uri"] == [f"{served.base_url}/"]
        ended = httpx.get(location, timeout=30, follow_redirects=False)
        assert ended.status_code in (200, 302)
        assert app.get("/profile").status_code == 302


def test_backchannel_logout_from_keycloak_ends_the_app_session(
    served: ServedApp, keycloak: RunningKeycloak
) -> None:
    admin = httpx.Client(
        base_url=f"{keycloak.base_url}/admin/realms/{keycloak.realm}",
        headers=bearer(admin_token(keycloak)),
        timeout=30,
    )
    with admin:
        client = admin.get("/clients", params={"clientId": "sdk-confidential"}).json()[0]
        saved = dict(client.get("attributes", {}))
        client["attributes"] = {
            **saved,
            "backchannel.logout.url": f"{served.base_url}/kc/backchannel-logout",
            "backchannel.logout.session.required": "true",
        }
        assert admin.put(f"/clients/{client['id']}", json=client).status_code == 204
        try:
            with served.client() as app:
                browser_login(app, "/profile", "alice", "alice-password")
                assert app.get("/profile").status_code == 200
                user = admin.get("/users", params={"username": "alice", "exact": "true"}).json()[0]
                assert admin.post(f"/users/{user['id']}/logout").status_code == 204
                deadline = time.monotonic() + 10
                while app.get("/profile").status_code != 302:
                    assert time.monotonic() < deadline, "the app session survived the logout"
                    time.sleep(0.2)
        finally:
            client["attributes"] = saved
            admin.put(f"/clients/{client['id']}", json=client)


def test_backchannel_endpoint_refuses_forged_tokens(served: ServedApp) -> None:
    with served.client() as app:
        assert app.get("/kc/backchannel-logout").status_code == 405
        forged = app.post("/kc/backchannel-logout", data={"logout_token": "a.b.c"})
        assert forged.status_code == 400
        assert forged.json()["error"] == "invalid_request"
        assert app.post("/kc/backchannel-logout", data={}).status_code == 400
