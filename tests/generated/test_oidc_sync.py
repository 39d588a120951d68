"""Every OIDC operation in spec/openapi/oidc.yaml, through the sync client."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time

import pytest

from keycloak_sdk import (
    AuthorizationPendingError,
    EndpointNotAdvertisedError,
    InvalidGrantError,
    InvalidTokenError,
    KeycloakClient,
    OAuthError,
    UnauthorizedClientError,
    UnexpectedResponseError,
    UnsupportedGrantTypeError,
)
from keycloak_sdk.models import (
    BackchannelAuthenticationResponse,
    DeviceAuthorizationResponse,
    IntrospectionResponse,
    JsonWebKeySet,
    ProviderMetadata,
    PushedAuthorizationResponse,
    TokenResponse,
    UserInfoResponse,
)
from tests.ciba_channel import CibaChannel
from tests.helpers.generated import REDIRECT_URI
from tests.helpers.keycloak import RunningKeycloak
from tests.keycloak_browser import approve_device, login_redirect


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_discovery_gives_typed_metadata(
    client: KeycloakClient, issuer: str, keycloak: RunningKeycloak
) -> None:
    metadata = client.provider_metadata()
    assert isinstance(metadata, ProviderMetadata)
    assert metadata.issuer == issuer
    assert (metadata.token_endpoint or "").startswith(issuer)
    assert isinstance(metadata.grant_types_supported, list)
    # Keycloak 26 lists the UMA grant in both discovery documents; 24 and 25 in neither,
    # though they grant it.
    uma_grant = "urn:ietf:params:oauth:grant-type:uma-ticket"
    assert (uma_grant in metadata.grant_types_supported) is keycloak.at_least(26)
    uma_grants = client.uma.metadata().grant_types_supported
    assert isinstance(uma_grants, list)
    assert (uma_grant in uma_grants) is keycloak.at_least(26)


def test_authorization_code_with_pkce(issuer: str) -> None:
    verifier, challenge = _pkce()
    with KeycloakClient.from_issuer(issuer, client_id="sdk-public") as public:
        url = public.oidc.authorization_url(
            redirect_uri=REDIRECT_URI,
            scope=["openid", "profile"],
            state="st-1",
            nonce="n-1",
            code_challenge=challenge,
            code_challenge_method="S256",
            prompt="login",
            login_hint="alice",
            ui_locales="en",
            max_age=600,
            claims={"id_token": {"email": None}},
        )
        assert url.startswith(public.provider_metadata().authorization_endpoint + "?")
        redirect = login_redirect(url, "alice", "alice-password", REDIRECT_URI)
        assert redirect["state"] == "st-1"
        tokens = public.oidc.token_authorization_code(
            redirect["code"], REDIRECT_URI, code_verifier=verifier
        )
    assert isinstance(tokens, TokenResponse)
    assert tokens.token_type.lower() == "bearer"
    assert isinstance(tokens.id_token, str)
    assert tokens["access_token"] == tokens.access_token
    assert "refresh_token" in tokens


def test_code_grant_with_bad_code_is_invalid_grant(client: KeycloakClient) -> None:
    with pytest.raises(InvalidGrantError) as err:
        client.oidc.token_authorization_code("not-a-code", REDIRECT_URI)
    assert err.value.status_code == 400
    assert err.value.error == "invalid_grant"


def test_password_refresh_introspect_revoke(
    client: KeycloakClient, resource_server: KeycloakClient
) -> None:
    tokens = client.oidc.token_password("alice", "alice-password", scope="openid email")
    assert tokens.refresh_token
    refreshed = client.oidc.token_refresh(tokens.refresh_token)
    assert refreshed.access_token != tokens.access_token

    info = resource_server.oidc.introspect(refreshed.access_token, token_type_hint="access_token")
    assert isinstance(info, IntrospectionResponse)
    assert info.active is True
    assert info.username == "alice"

    assert isinstance(refreshed.refresh_token, str)
    client.oidc.revoke(refreshed.refresh_token, token_type_hint="refresh_token")
    with pytest.raises(InvalidGrantError):
        client.oidc.token_refresh(refreshed.refresh_token)


def test_wrong_password_is_invalid_grant(client: KeycloakClient) -> None:
    with pytest.raises(InvalidGrantError) as err:
        client.oidc.token_password("alice", "not-her-password")
    assert "not-her-password" not in str(err.value)


def test_bad_client_secret_is_unauthorized_client(issuer: str) -> None:
    # Keycloak 26.7 answers a wrong secret with 401 `unauthorized_client` (not RFC 6749's
    # `invalid_client`); the error class follows the code the server sends.
    with (
        KeycloakClient.from_issuer(
            issuer, client_id="sdk-confidential", client_secret="wrong-secret"
        ) as bad,
        pytest.raises(UnauthorizedClientError) as err,
    ):
        bad.oidc.token_client_credentials()
    assert err.value.status_code == 401
    assert "wrong-secret" not in str(err.value)
    assert "wrong-secret" not in repr(bad)


def test_client_credentials_and_userinfo(client: KeycloakClient, alice: TokenResponse) -> None:
    service = client.oidc.token_client_credentials(scope="openid")
    assert isinstance(service.expires_in, int) and service.expires_in > 0
    user = client.oidc.userinfo(alice.access_token)
    assert isinstance(user, UserInfoResponse)
    assert user.preferred_username == "alice"
    assert user.email == "alice@example.com"


def test_userinfo_with_a_bad_token_carries_www_authenticate(client: KeycloakClient) -> None:
    with pytest.raises(OAuthError) as err:
        client.oidc.userinfo("not-a-token")
    assert err.value.status_code == 401
    assert isinstance(err.value, InvalidTokenError)
    assert err.value.www_authenticate is not None


def test_userinfo_jwt_needs_a_signing_client(client: KeycloakClient, alice: TokenResponse) -> None:
    # sdk-confidential has no UserInfoResponse signature algorithm, so Keycloak answers JSON; the
    # typed method refuses to hand it back as a JWT.
    with pytest.raises(UnexpectedResponseError) as err:
        client.oidc.userinfo_jwt(alice.access_token)
    assert err.value.content_type == "application/json"


def test_logout_ends_the_session(client: KeycloakClient) -> None:
    tokens = client.oidc.token_password("bob", "bob-password")
    assert isinstance(tokens.refresh_token, str)
    client.oidc.logout(tokens.refresh_token)
    with pytest.raises(InvalidGrantError):
        client.oidc.token_refresh(tokens.refresh_token)


def test_end_session_url(client: KeycloakClient, alice: TokenResponse) -> None:
    url = client.oidc.end_session_url(
        id_token_hint=alice.id_token if isinstance(alice.id_token, str) else None,
        post_logout_redirect_uri=REDIRECT_URI,
        state="bye",
    )
    assert url.startswith(f"{client.provider_metadata().issuer}/protocol/openid-connect/logout?")
    assert "state=bye" in url


def test_jwks(client: KeycloakClient) -> None:
    keys = client.oidc.jwks()
    assert isinstance(keys, JsonWebKeySet)
    assert any(key.kty == "RSA" and key.use == "sig" for key in keys.keys)
    raw = client.oidc.jwks_response()
    assert json.loads(raw.content)["keys"]
    assert JsonWebKeySet.from_dict(raw.json()).keys[0].kid == keys.keys[0].kid


def test_device_flow(issuer: str) -> None:
    with KeycloakClient.from_issuer(issuer, client_id="sdk-public") as public:
        verifier, challenge = _pkce()
        start = public.oidc.device_authorization(
            scope="openid", code_challenge=challenge, code_challenge_method="S256"
        )
        assert isinstance(start, DeviceAuthorizationResponse)
        assert start.user_code and start.verification_uri.startswith(issuer)
        with pytest.raises(AuthorizationPendingError):
            public.oidc.token_device_code(start.device_code, code_verifier=verifier)
        assert isinstance(start.verification_uri_complete, str)
        approve_device(start.verification_uri_complete, "alice", "alice-password")
        time.sleep((start.interval if isinstance(start.interval, int) else 5) + 1)  # slow_down
        tokens = public.oidc.token_device_code(start.device_code, code_verifier=verifier)
    assert tokens.access_token


def test_pushed_authorization(client: KeycloakClient) -> None:
    pushed = client.oidc.pushed_authorization(redirect_uri=REDIRECT_URI, state="par-1")
    assert isinstance(pushed, PushedAuthorizationResponse)
    assert pushed.request_uri.startswith("urn:ietf:params:oauth:request_uri:")
    assert pushed.expires_in > 0
    url = client.oidc.authorization_url(redirect_uri=REDIRECT_URI, request_uri=pushed.request_uri)
    assert "request_uri=" in url


def test_ciba_backchannel_then_pending(issuer: str, ciba_channel: CibaChannel) -> None:
    with KeycloakClient.from_issuer(
        issuer, client_id="sdk-ciba", client_secret="sdk-ciba-secret"
    ) as ciba:
        started = ciba.oidc.backchannel_authentication(login_hint="alice", binding_message="SDK")
        assert isinstance(started, BackchannelAuthenticationResponse)
        assert started.expires_in > 0
        assert ciba_channel.next_request().body["binding_message"] == "SDK"
        with pytest.raises(AuthorizationPendingError) as err:
            ciba.oidc.token_ciba(started.auth_req_id)
    assert err.value.status_code == 400


def test_token_exchange(issuer: str, client: KeycloakClient, keycloak: RunningKeycloak) -> None:
    subject = client.oidc.token_password("alice", "alice-password")
    with KeycloakClient.from_issuer(
        issuer, client_id="sdk-exchange", client_secret="sdk-exchange-secret"
    ) as exchanger:
        if not keycloak.at_least(26, 2):  # standard token exchange came in 26.2
            with pytest.raises(UnsupportedGrantTypeError):
                exchanger.oidc.token_exchange(subject.access_token, audience="sdk-api")
            return
        try:
            exchanged = exchanger.oidc.token_exchange(subject.access_token, audience="sdk-api")
        except OAuthError as err:
            # The subject token must name sdk-exchange as an audience (Keycloak 26).
            pytest.fail(f"token exchange refused: {err}")
    assert exchanged.access_token
    assert exchanged.issued_token_type == "urn:ietf:params:oauth:token-type:access_token"


def test_endpoint_not_advertised(issuer: str, client: KeycloakClient) -> None:
    trimmed = {
        k: v
        for k, v in client.provider_metadata().to_dict().items()
        if k != "backchannel_authentication_endpoint"
    }
    with (
        KeycloakClient(
            ProviderMetadata.from_dict(trimmed),
            client_id="sdk-ciba",
            client_secret="sdk-ciba-secret",
        ) as partial,
        pytest.raises(EndpointNotAdvertisedError) as err,
    ):
        partial.oidc.backchannel_authentication(login_hint="alice")
    assert err.value.discovery_key == "backchannel_authentication_endpoint"


def test_jwt_bearer_grant_reaches_keycloaks_assertion_check(
    client: KeycloakClient, keycloak: RunningKeycloak
) -> None:
    # RFC 7523, added as a spec-only change: Keycloak 26.7 advertises the grant and checks the
    # assertion (a realm without a trusted JWT issuer refuses every assertion, typed).
    advertised = "urn:ietf:params:oauth:grant-type:jwt-bearer" in (
        client.provider_metadata().grant_types_supported or []
    )
    assert advertised is keycloak.at_least(26, 7)
    if not advertised:  # older servers refuse the grant itself, typed as well
        with pytest.raises(OAuthError) as refused:
            client.oidc.token_jwt_bearer("not.a.jwt", scope="openid")
        assert refused.value.status_code == 400
        return
    with pytest.raises(InvalidGrantError) as err:
        client.oidc.token_jwt_bearer("not.a.jwt", scope="openid")
    assert err.value.status_code == 400
    assert "assertion" in (err.value.error_description or "")
