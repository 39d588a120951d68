"""The generated runtime without a server: errors, client authentication, URL building."""

from __future__ import annotations

import base64
import subprocess
import sys

import httpx
import pytest

from keycloak_sdk import (
    AccessDeniedError,
    ApiError,
    AuthorizationPendingError,
    ClientSecretBasic,
    ClientSecretPost,
    ConflictError,
    DiscoveryError,
    EndpointNotAdvertisedError,
    ForbiddenError,
    InvalidTokenError,
    KeycloakClient,
    NoClientAuthentication,
    NotFoundError,
    OAuthError,
    RequestTimeoutError,
    TransportError,
    UnexpectedResponseError,
)
from keycloak_sdk.models import ProviderMetadata, TokenResponse

METADATA = ProviderMetadata.from_dict(
    {
        "issuer": "http://127.0.0.1:1/realms/r",
        "authorization_endpoint": "http://127.0.0.1:1/realms/r/auth",
        "token_endpoint": "http://127.0.0.1:1/realms/r/token",
        "jwks_uri": "http://127.0.0.1:1/realms/r/certs",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }
)


def test_oauth_error_picks_the_class_by_code() -> None:
    err = OAuthError.from_response(
        400, b'{"error":"authorization_pending","error_description":"wait"}', {}
    )
    assert type(err) is AuthorizationPendingError
    assert (err.error, err.error_description, err.status_code) == (
        "authorization_pending",
        "wait",
        400,
    )
    unknown = OAuthError.from_response(400, {"error": "kc_specific"}, None)
    assert type(unknown) is OAuthError and unknown.error == "kc_specific"


def test_oauth_error_falls_back_to_www_authenticate() -> None:
    header = 'Bearer realm="r", error="invalid_token", error_description="expired"'
    err = OAuthError.from_response(401, b"", {"WWW-Authenticate": header})
    assert isinstance(err, InvalidTokenError)
    assert err.www_authenticate == header
    assert err.error_description == "expired"


def test_api_error_by_status() -> None:
    assert type(ApiError.for_status(404, "not_found")) is NotFoundError
    assert type(ApiError.for_status(409)) is ConflictError
    assert type(ApiError.for_status(403)) is ForbiddenError
    assert type(ApiError.for_status(418)) is ApiError
    assert issubclass(AccessDeniedError, OAuthError)


def test_client_secret_basic_form_encodes_before_base64() -> None:
    auth = ClientSecretBasic("my client", "s3cr:t/+")
    form: dict[str, str | list[str]] = {}
    headers: dict[str, str] = {}
    auth.apply("http://x/token", form, headers)
    decoded = base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode()
    assert decoded == "my+client:s3cr%3At%2F%2B"
    assert form == {}
    assert "s3cr" not in repr(auth)


def test_client_secret_post_and_public_client() -> None:
    form: dict[str, str | list[str]] = {}
    ClientSecretPost("app", "pw-123").apply("http://x/token", form, {})
    assert form == {"client_id": "app", "client_secret": "pw-123"}
    assert "pw-123" not in repr(ClientSecretPost("app", "pw-123"))
    public: dict[str, str | list[str]] = {}
    NoClientAuthentication("spa").apply("http://x/token", public, {})
    assert public == {"client_id": "spa"}


def test_token_response_reads_like_a_mapping() -> None:
    tokens = TokenResponse.from_dict(
        {"access_token": "a", "token_type": "Bearer", "not-before-policy": 0, "extra": 1}
    )
    assert tokens["access_token"] == "a"
    assert tokens["not-before-policy"] == 0
    assert tokens["extra"] == 1
    assert "token_type" in tokens and "id_token" not in tokens
    with pytest.raises(KeyError):
        tokens["id_token"]


def test_missing_endpoint_and_url_building() -> None:
    with KeycloakClient(METADATA, client_id="app") as kc:
        with pytest.raises(EndpointNotAdvertisedError) as err:
            kc.oidc.introspect("t")
        assert err.value.discovery_key == "introspection_endpoint"
        url = kc.oidc.authorization_url(redirect_uri="http://127.0.0.1/cb", prompt=["login"])
        assert url.startswith("http://127.0.0.1:1/realms/r/auth?client_id=app&")
        with pytest.raises(EndpointNotAdvertisedError):
            kc.oidc.end_session_url()


def test_transport_errors_are_typed_and_timeouts_kept() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with KeycloakClient(
        METADATA,
        client_id="app",
        client_secret="pw",
        http_client=httpx.Client(transport=httpx.MockTransport(refuse)),
    ) as kc:
        with pytest.raises(TransportError) as err:
            kc.oidc.token_password("alice", "her-password")
        assert "her-password" not in str(err.value)
    with (
        KeycloakClient(
            METADATA, client_id="app", http_client=httpx.Client(transport=httpx.MockTransport(slow))
        ) as kc,
        pytest.raises(RequestTimeoutError),
    ):
        kc.oidc.jwks()


def test_non_oauth_error_body_is_unexpected() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    with (
        KeycloakClient(
            METADATA, client_id="app", http_client=httpx.Client(transport=httpx.MockTransport(html))
        ) as kc,
        pytest.raises(UnexpectedResponseError) as err,
    ):
        kc.oidc.token_client_credentials()
    assert err.value.status_code == 502


def test_discovery_refuses_a_different_issuer() -> None:
    def discovery(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=METADATA.to_dict())

    http = httpx.Client(transport=httpx.MockTransport(discovery))
    with pytest.raises(DiscoveryError):
        KeycloakClient.from_issuer(
            "http://127.0.0.1:1/realms/other", client_id="a", http_client=http
        )
    assert not http.is_closed  # injected clients are never closed by us
    http.close()


def test_import_is_lazy() -> None:
    code = "import sys, keycloak_sdk; print('httpx' in sys.modules, 'attrs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
