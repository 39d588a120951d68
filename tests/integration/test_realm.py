"""The test realm itself: every name other tests rely on exists and behaves as docs/realm.md says.

Plain httpx on purpose: this proves the realm file (tests/realm/sdk-test-realm.json), not the SDK.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness.keycloak import free_port
from tests.ciba_channel import CibaChannel
from tests.helpers.keycloak import RunningKeycloak

KEYS = Path(__file__).resolve().parents[1] / "realm" / "keys"
TIMEOUT = 15.0
CLIENT_SECRETS = {
    "sdk-confidential": "sdk-confidential-secret",
    "sdk-short": "sdk-short-secret",
    "sdk-ciba": "sdk-ciba-secret",
    "sdk-exchange": "sdk-exchange-secret",
    "sdk-api": "sdk-api-secret",
}
# Keycloak's CIBA needs an "authentication channel": an HTTP endpoint it POSTs each backchannel
# request to. It is a server option, so the server must have been started with this variable
# pointing at a loopback port the tests serve (see docs/realm.md).
CIBA_CHANNEL_ENV = (
    "KC_SPI_CIBA_AUTH_CHANNEL__CIBA_HTTP_AUTH_CHANNEL__HTTP_AUTHENTICATION_CHANNEL_URI"
)

JsonObject = dict[str, Any]


# -- helpers ---------------------------------------------------------------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_part(token: str, index: int) -> JsonObject:
    segment = token.split(".")[index]
    decoded: JsonObject = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def claims(token: str) -> JsonObject:
    return jwt_part(token, 1)


def audiences(token_claims: JsonObject) -> list[str]:
    aud = token_claims.get("aud", [])
    return [aud] if isinstance(aud, str) else list(aud)


def json_of(response: httpx.Response, status: int = 200) -> JsonObject:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body: JsonObject = response.json()
    return body


def json_of_list(response: httpx.Response) -> list[JsonObject]:
    assert response.status_code == 200, f"{response.status_code}: {response.text}"
    body: list[JsonObject] = response.json()
    return body


def assertion_claims(client_id: str, audience: str) -> JsonObject:
    now = int(time.time())
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + 60,
    }


def hs256_assertion(client_id: str, secret: str, audience: str) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(assertion_claims(client_id, audience)).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def rs256_assertion(client_id: str, audience: str) -> str:
    key = serialization.load_pem_private_key(
        (KEYS / "sdk-private-key-jwt.key.pem").read_bytes(), password=None
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(assertion_claims(client_id, audience)).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


@dataclass(frozen=True)
class Realm:
    """Endpoints of the sdk-test realm, read from its discovery document."""

    issuer: str
    discovery: JsonObject
    http: httpx.Client

    def endpoint(self, name: str) -> str:
        value = self.discovery[name]
        assert isinstance(value, str), name
        return value

    @property
    def token_endpoint(self) -> str:
        return self.endpoint("token_endpoint")

    def token(self, data: dict[str, str], auth: tuple[str, str] | None = None) -> httpx.Response:
        if auth is None:
            return self.http.post(self.token_endpoint, data=data)
        return self.http.post(self.token_endpoint, data=data, auth=auth)

    def password_token(self, username: str, scope: str = "openid") -> JsonObject:
        response = self.token(
            {
                "grant_type": "password",
                "username": username,
                "password": f"{username}-password",
                "scope": scope,
            },
            auth=("sdk-confidential", CLIENT_SECRETS["sdk-confidential"]),
        )
        return json_of(response)

    def rpt(self, user_access_token: str, permission: str) -> httpx.Response:
        return self.http.post(
            self.token_endpoint,
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:uma-ticket",
                "audience": "sdk-confidential",
                "permission": permission,
            },
            headers={"Authorization": f"Bearer {user_access_token}"},
        )


@pytest.fixture(scope="module")
def realm(keycloak: RunningKeycloak) -> Iterator[Realm]:
    with httpx.Client(timeout=TIMEOUT) as http:
        discovery = json_of(http.get(f"{keycloak.issuer}/.well-known/openid-configuration"))
        yield Realm(issuer=keycloak.issuer, discovery=discovery, http=http)


# -- client authentication -------------------------------------------------------------------
@pytest.mark.parametrize("client_id", ["sdk-confidential", "sdk-short"])
def test_client_credentials_with_secret(realm: Realm, client_id: str) -> None:
    body = json_of(
        realm.token({"grant_type": "client_credentials"}, (client_id, CLIENT_SECRETS[client_id]))
    )
    token = claims(body["access_token"])
    assert token["azp"] == client_id
    assert token["iss"] == realm.issuer
    assert jwt_part(body["access_token"], 0)["alg"] == "RS256"


def test_wrong_client_secret_is_rejected(realm: Realm) -> None:
    response = realm.token({"grant_type": "client_credentials"}, ("sdk-confidential", "wrong"))
    assert json_of(response, 401)["error"] == "unauthorized_client"


@pytest.mark.parametrize("client_id", ["sdk-api", "sdk-ciba", "sdk-exchange"])
def test_clients_without_service_account_authenticate_at_introspection(
    realm: Realm, client_id: str
) -> None:
    # These clients have no client_credentials grant; introspection proves their secret.
    endpoint = realm.endpoint("introspection_endpoint")
    good = realm.http.post(
        endpoint, data={"token": "not-a-token"}, auth=(client_id, CLIENT_SECRETS[client_id])
    )
    assert json_of(good) == {"active": False}
    bad = realm.http.post(endpoint, data={"token": "not-a-token"}, auth=(client_id, "wrong"))
    assert bad.status_code == 401


def test_sdk_api_introspects_user_tokens_meant_for_it(realm: Realm) -> None:
    # The resource server introspects as itself: it is in `aud`, which Keycloak 26.7 requires.
    alice = realm.password_token("alice")["access_token"]
    body = json_of(
        realm.http.post(
            realm.endpoint("introspection_endpoint"),
            data={"token": alice},
            auth=("sdk-api", CLIENT_SECRETS["sdk-api"]),
        )
    )
    assert body["active"] is True
    assert body["username"] == "alice"
    assert body["client_id"] == "sdk-confidential"


def test_service_account_tokens_name_their_client(realm: Realm) -> None:
    body = json_of(
        realm.token({"grant_type": "client_credentials"}, ("sdk-short", "sdk-short-secret"))
    )
    token = claims(body["access_token"])
    assert token["client_id"] == "sdk-short"
    assert token["preferred_username"] == "service-account-sdk-short"


def test_client_secret_jwt(realm: Realm) -> None:
    assertion = hs256_assertion("sdk-jwt", "sdk-jwt-secret", realm.issuer)
    body = json_of(
        realm.token(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
            }
        )
    )
    assert claims(body["access_token"])["azp"] == "sdk-jwt"


def test_client_secret_jwt_with_wrong_secret_is_rejected(realm: Realm) -> None:
    assertion = hs256_assertion("sdk-jwt", "not-the-secret", realm.issuer)
    response = realm.token(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "unauthorized_client")


def test_private_key_jwt(realm: Realm) -> None:
    assertion = rs256_assertion("sdk-private-key-jwt", realm.issuer)
    body = json_of(
        realm.token(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
            }
        )
    )
    assert claims(body["access_token"])["azp"] == "sdk-private-key-jwt"


def test_short_client_tokens_live_five_seconds(realm: Realm) -> None:
    body = json_of(
        realm.token({"grant_type": "client_credentials"}, ("sdk-short", "sdk-short-secret"))
    )
    assert body["expires_in"] == 5
    token = claims(body["access_token"])
    assert token["exp"] - token["iat"] == 5


# -- users, roles and scopes -----------------------------------------------------------------
def test_alice_password_grant_carries_roles_profile_and_audience(realm: Realm) -> None:
    body = realm.password_token("alice")
    token = claims(body["access_token"])
    assert "user" in token["realm_access"]["roles"]
    assert "admin" not in token["realm_access"]["roles"]
    assert token["resource_access"]["sdk-confidential"]["roles"] == ["reader"]
    assert "sdk-api" in audiences(token)
    assert token["preferred_username"] == "alice"
    assert token["email"] == "alice@example.com"
    assert token["email_verified"] is True
    assert (token["given_name"], token["family_name"]) == ("Alice", "Liddell")
    assert token["name"] == "Alice Liddell"
    id_token = claims(body["id_token"])
    assert id_token["sub"] == token["sub"]
    assert jwt_part(body["id_token"], 0)["alg"] == "RS256"


def test_bob_and_carol_roles(realm: Realm) -> None:
    bob = claims(realm.password_token("bob")["access_token"])
    assert {"user", "admin"} <= set(bob["realm_access"]["roles"])
    assert sorted(bob["resource_access"]["sdk-confidential"]["roles"]) == ["reader", "writer"]
    assert (bob["email"], bob["name"]) == ("bob@example.com", "Bob Builder")
    carol = claims(realm.password_token("carol")["access_token"])
    assert not {"user", "admin"} & set(carol["realm_access"]["roles"])
    assert "sdk-confidential" not in carol.get("resource_access", {})


def test_optional_scopes_sdk_extra_and_offline_access(realm: Realm) -> None:
    plain = realm.password_token("alice")
    assert "sdk_extra" not in claims(plain["access_token"])
    assert "sdk-extra" not in plain["scope"].split()
    extra = realm.password_token("alice", scope="openid sdk-extra offline_access")
    assert {"sdk-extra", "offline_access"} <= set(extra["scope"].split())
    assert claims(extra["access_token"])["sdk_extra"] == "granted"
    assert claims(extra["refresh_token"])["typ"] == "Offline"


def test_public_client_code_flow_with_pkce_grants_offline_access(realm: Realm) -> None:
    # sdk-public has no password grant: log alice in through the real login form instead.
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    verifier = secrets.token_urlsafe(48)
    page = authorization_request(
        realm, redirect_uri, verifier=verifier, scope="openid offline_access"
    )
    assert page.status_code == 200, page.text[:500]
    action = re.search(r'id="kc-form-login"[^>]*action="([^"]+)"', page.text)
    assert action is not None, page.text[:2000]
    # Keycloak marks its login cookies Secure even on plain http (browsers treat loopback as a
    # secure context); httpx's cookie jar withholds Secure cookies over http, so send them here.
    cookie = "; ".join(f"{c.name}={c.value}" for c in realm.http.cookies.jar)
    login = realm.http.post(
        html.unescape(action.group(1)),
        data={"username": "alice", "password": "alice-password"},
        headers={"Cookie": cookie},
    )
    assert login.status_code == 302, login.text[:500]
    location = urlsplit(login.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    (code,) = parse_qs(location.query)["code"]
    body = json_of(
        realm.token(
            {
                "grant_type": "authorization_code",
                "client_id": "sdk-public",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )
    )
    assert "offline_access" in body["scope"].split()
    assert claims(body["refresh_token"])["typ"] == "Offline"
    token = claims(body["access_token"])
    assert token["azp"] == "sdk-public"
    assert "sdk-api" in audiences(token)


# -- device, CIBA and token exchange ---------------------------------------------------------
def test_device_authorization_for_public_client(realm: Realm) -> None:
    endpoint = realm.endpoint("device_authorization_endpoint")
    verifier = secrets.token_urlsafe(48)
    # The client's PKCE requirement applies to device authorization requests as well.
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    refused = realm.http.post(endpoint, data={"client_id": "sdk-public", "scope": "openid"})
    assert json_of(refused, 400)["error"] == "invalid_request"
    body = json_of(
        realm.http.post(
            endpoint,
            data={
                "client_id": "sdk-public",
                "scope": "openid",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
    )
    assert body["device_code"] and body["user_code"]
    assert body["verification_uri"].startswith(realm.issuer)
    assert body["verification_uri_complete"].startswith(body["verification_uri"])
    assert body["interval"] == 1
    pending = realm.token(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": "sdk-public",
            "device_code": body["device_code"],
            "code_verifier": verifier,
        }
    )
    assert json_of(pending, 400)["error"] == "authorization_pending"


def test_ciba_backchannel_request_for_alice(realm: Realm, ciba_channel: CibaChannel) -> None:
    response = realm.http.post(
        realm.endpoint("backchannel_authentication_endpoint"),
        data={"scope": "openid", "login_hint": "alice", "binding_message": "realm-test"},
        auth=("sdk-ciba", "sdk-ciba-secret"),
    )
    body = json_of(response)
    assert body["auth_req_id"]
    assert body["expires_in"] == 120
    assert body["interval"] == 1
    arrived = ciba_channel.next_request(TIMEOUT)
    bearer, request = f"Bearer {arrived.bearer}", arrived.body
    assert request["login_hint"] == "alice"
    assert request["binding_message"] == "realm-test"
    ciba_grant = {
        "grant_type": "urn:openid:params:grant-type:ciba",
        "auth_req_id": str(body["auth_req_id"]),
    }
    pending = realm.token(ciba_grant, ("sdk-ciba", "sdk-ciba-secret"))
    assert json_of(pending, 400)["error"] == "authorization_pending"
    # Approve as the authentication device would, then the poll yields alice's tokens.
    approved = realm.http.post(
        f"{realm.issuer}/protocol/openid-connect/ext/ciba/auth/callback",
        json={"status": "SUCCEED"},
        headers={"Authorization": bearer},
    )
    assert approved.status_code == 200, approved.text
    time.sleep(1.1)  # the realm's CIBA interval is 1 s; polling sooner answers slow_down
    tokens = json_of(realm.token(ciba_grant, ("sdk-ciba", "sdk-ciba-secret")))
    assert claims(tokens["access_token"])["preferred_username"] == "alice"


def test_ciba_unknown_user_is_rejected(realm: Realm) -> None:
    response = realm.http.post(
        realm.endpoint("backchannel_authentication_endpoint"),
        data={"scope": "openid", "login_hint": "nobody-by-that-name"},
        auth=("sdk-ciba", "sdk-ciba-secret"),
    )
    body = json_of(response, 400)
    # The description is "invalid_user" on 26.7.3 and "invalid user" on 26.5.6.
    assert body["error"] == "invalid_request"
    assert body["error_description"].replace("_", " ") == "invalid user"


def exchange(realm: Realm, subject_token: str, **extra: str) -> httpx.Response:
    return realm.token(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": subject_token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            **extra,
        },
        ("sdk-exchange", "sdk-exchange-secret"),
    )


def test_standard_token_exchange_of_alices_token(realm: Realm) -> None:
    alice = realm.password_token("alice")
    assert "sdk-exchange" in audiences(claims(alice["access_token"]))
    body = json_of(exchange(realm, alice["access_token"]))
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    exchanged = claims(body["access_token"])
    assert exchanged["azp"] == "sdk-exchange"
    assert exchanged["sub"] == claims(alice["access_token"])["sub"]
    narrowed = json_of(exchange(realm, alice["access_token"], audience="sdk-api"))
    assert audiences(claims(narrowed["access_token"])) == ["sdk-api"]


def test_token_exchange_needs_the_exchanger_in_the_audience(realm: Realm) -> None:
    short = json_of(
        realm.token({"grant_type": "client_credentials"}, ("sdk-short", "sdk-short-secret"))
    )
    assert "sdk-exchange" not in audiences(claims(short["access_token"]))
    response = exchange(realm, short["access_token"])
    assert response.status_code in (400, 403)
    assert response.json()["error"] in ("access_denied", "invalid_request")


# -- authorization services ------------------------------------------------------------------
def test_protection_api_lists_resources(realm: Realm) -> None:
    pat = json_of(
        realm.token(
            {"grant_type": "client_credentials"},
            ("sdk-confidential", CLIENT_SECRETS["sdk-confidential"]),
        )
    )["access_token"]
    assert "uma_protection" in claims(pat)["resource_access"]["sdk-confidential"]["roles"]
    uma = json_of(realm.http.get(f"{realm.issuer}/.well-known/uma2-configuration"))
    resource_set = uma["resource_registration_endpoint"]
    headers = {"Authorization": f"Bearer {pat}"}
    ids = json_of(realm.http.get(resource_set, headers=headers))
    assert isinstance(ids, list) and len(ids) == 2
    found = realm.http.get(
        resource_set, params={"name": "documents", "exactName": "true"}, headers=headers
    )
    (documents_id,) = json_of(found)
    assert documents_id in ids
    documents = json_of(realm.http.get(f"{resource_set}/{documents_id}", headers=headers))
    assert documents["name"] == "documents"
    assert documents["type"] == "urn:sdk:document"
    assert documents["uris"] == ["/documents/*"]
    assert sorted(scope["name"] for scope in documents["resource_scopes"]) == [
        "delete",
        "read",
        "write",
    ]


def granted(rpt: str) -> dict[str, set[str]]:
    permissions = claims(rpt)["authorization"]["permissions"]
    return {p["rsname"]: set(p.get("scopes", [])) for p in permissions}


def test_bob_gets_an_rpt_for_documents_write(realm: Realm) -> None:
    bob = realm.password_token("bob")["access_token"]
    rpt = json_of(realm.rpt(bob, "documents#write"))["access_token"]
    assert granted(rpt) == {"documents": {"write"}}
    admin_area = json_of(realm.rpt(bob, "admin-area"))["access_token"]
    assert granted(admin_area) == {"admin-area": {"read"}}


def test_alice_may_read_but_not_write_documents(realm: Realm) -> None:
    alice = realm.password_token("alice")["access_token"]
    denied = json_of(realm.rpt(alice, "documents#write"), 403)
    assert denied["error"] == "access_denied"
    assert json_of(realm.rpt(alice, "admin-area"), 403)["error"] == "access_denied"
    rpt = json_of(realm.rpt(alice, "documents#read"))["access_token"]
    assert granted(rpt) == {"documents": {"read"}}


def test_carol_may_not_read_documents(realm: Realm) -> None:
    carol = realm.password_token("carol")["access_token"]
    assert json_of(realm.rpt(carol, "documents#read"), 403)["error"] == "access_denied"


# -- browser-facing redirects ----------------------------------------------------------------
def authorization_request(
    realm: Realm, redirect_uri: str, verifier: str | None = None, **extra: str
) -> httpx.Response:
    verifier = verifier or secrets.token_urlsafe(48)
    params = {
        "client_id": "sdk-public",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": redirect_uri,
        "state": secrets.token_urlsafe(8),
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
        **extra,
    }
    return realm.http.get(realm.endpoint("authorization_endpoint"), params=params)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_redirect_on_any_port_reaches_the_login_page(realm: Realm, host: str) -> None:
    response = authorization_request(realm, f"http://{host}:{free_port()}/callback")
    assert response.status_code == 200, response.text[:500]
    assert 'id="kc-form-login"' in response.text
    assert 'name="username"' in response.text


def test_foreign_redirect_is_refused(realm: Realm) -> None:
    response = authorization_request(realm, "http://attacker.invalid/callback")
    assert response.status_code == 400
    assert 'id="kc-form-login"' not in response.text


def test_pkce_is_required_for_the_public_client(realm: Realm) -> None:
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    response = authorization_request(
        realm, redirect_uri, code_challenge="", code_challenge_method=""
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    assert parse_qs(location.query)["error"] == ["invalid_request"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_post_logout_redirect_on_any_port(realm: Realm, host: str) -> None:
    endpoint = realm.endpoint("end_session_endpoint")
    target = f"http://{host}:{free_port()}/bye"
    # Without a session there is nothing to confirm: Keycloak redirects straight back.
    allowed = realm.http.get(
        endpoint, params={"client_id": "sdk-public", "post_logout_redirect_uri": target}
    )
    assert allowed.status_code == 302, allowed.text[:500]
    assert allowed.headers["Location"] == target
    refused = realm.http.get(
        endpoint,
        params={
            "client_id": "sdk-public",
            "post_logout_redirect_uri": "http://attacker.invalid/bye",
        },
    )
    assert refused.status_code == 400
    assert "Invalid redirect uri" in refused.text


# -- the configuration itself, as the admin API reports it -----------------------------------
@pytest.fixture(scope="module")
def admin(keycloak: RunningKeycloak, realm: Realm) -> Iterator[httpx.Client]:
    token = json_of(
        realm.http.post(
            f"{keycloak.base_url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": keycloak.admin_user,
                "password": keycloak.admin_password,
            },
        )
    )["access_token"]
    with httpx.Client(
        base_url=f"{keycloak.base_url}/admin/realms/{keycloak.realm}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    ) as client:
        yield client


def test_realm_settings(admin: httpx.Client) -> None:
    realm = json_of(admin.get(""))
    assert realm["userManagedAccessAllowed"] is True
    assert realm["defaultSignatureAlgorithm"] == "RS256"
    assert realm["attributes"]["cibaBackchannelTokenDeliveryMode"] == "poll"
    optional = {
        scope["name"] for scope in json_of_list(admin.get("/default-optional-client-scopes"))
    }
    assert {"sdk-extra", "offline_access"} <= optional


def test_every_client_has_front_channel_logout_off(admin: httpx.Client) -> None:
    ours = [c for c in json_of_list(admin.get("/clients")) if c["clientId"].startswith("sdk-")]
    assert sorted(c["clientId"] for c in ours) == [
        "sdk-api",
        "sdk-ciba",
        "sdk-confidential",
        "sdk-dpop",
        "sdk-exchange",
        "sdk-jwt",
        "sdk-private-key-jwt",
        "sdk-public",
        "sdk-short",
        "sdk-signed-userinfo",
    ]
    assert all(c["frontchannelLogout"] is False for c in ours)


def test_authorization_policies_and_permissions(admin: httpx.Client) -> None:
    (client,) = json_of_list(admin.get("/clients", params={"clientId": "sdk-confidential"}))
    server = f"/clients/{client['id']}/authz/resource-server"
    settings = json_of(admin.get(server))
    assert settings["allowRemoteResourceManagement"] is True
    policies = {
        p["name"]: p["type"]
        for p in json_of_list(admin.get(f"{server}/policy", params={"max": 100}))
    }
    assert policies == {
        "user-role-policy": "role",
        "admin-role-policy": "role",
        "alice-policy": "user",
        "confidential-client-policy": "client",
        "documents-read": "scope",
        "documents-write": "scope",
        "admin-area-permission": "resource",
    }
