"""Capturing from the live server reproduces the committed snapshot, and what the live server
issues (tokens, RPTs, JWKS, keycloak.json) matches spec/schemas/. Capturing the admin OpenAPI
document with Maven reproduces its committed bytes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator import admin_capture
from generator.admin_capture import AdminCaptureError, admin_path, capture_admin, capture_text
from generator.capture import (
    DOCUMENTS,
    SNAPSHOT_DIR,
    capture_documents,
    capture_from_running,
    fetch_server_version,
    validator_for,
)
from tests.conftest import RunningKeycloak

TIMEOUT = httpx.Timeout(15.0)


@pytest.fixture(scope="module")
def server_version(keycloak: RunningKeycloak) -> str:
    version = fetch_server_version(keycloak.base_url, keycloak.admin_user, keycloak.admin_password)
    if keycloak.version != "?":
        assert version == keycloak.version
    return version


def _errors(schema_file: str, document: Any) -> list[str]:
    validator = validator_for(schema_file)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def test_capture_reproduces_the_committed_snapshot(
    keycloak: RunningKeycloak, server_version: str
) -> None:
    committed = SNAPSHOT_DIR / server_version
    assert committed.is_dir(), f"no committed snapshot for {server_version}: run `make spec`"
    captured = capture_documents(keycloak.base_url, keycloak.realm)
    assert sorted(captured) == sorted(doc.file_name for doc in DOCUMENTS)
    for file_name, text in captured.items():
        # Byte for byte; a difference means Keycloak or tests/realm changed (recapture), or the
        # server was started with another realm than tests/realm/sdk-test-realm.json.
        assert text == (committed / file_name).read_text(encoding="utf-8"), file_name


def test_capture_from_running_writes_the_files(keycloak: RunningKeycloak, tmp_path: Path) -> None:
    written = capture_from_running(keycloak.base_url, tmp_path / "x", keycloak.realm)
    assert sorted(p.name for p in written) == [
        "openid-configuration.json",
        "uma2-configuration.json",
    ]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert text.endswith("}\n")
        assert keycloak.base_url not in text


@pytest.fixture(scope="module")
def alice_tokens(keycloak: RunningKeycloak) -> dict[str, Any]:
    response = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "sdk-confidential",
            "client_secret": "sdk-confidential-secret",
            "username": "alice",
            "password": "alice-password",
            "scope": "openid",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def test_live_id_token_matches_the_schema(alice_tokens: dict[str, Any]) -> None:
    claims = _claims(alice_tokens["id_token"])
    assert claims["typ"] == "ID"
    assert _errors("id-token-claims.json", claims) == []


def test_live_access_token_matches_the_schema(alice_tokens: dict[str, Any]) -> None:
    claims = _claims(alice_tokens["access_token"])
    assert claims["typ"] == "Bearer"
    assert "user" in claims["realm_access"]["roles"]
    assert _errors("access-token-claims.json", claims) == []


def test_live_rpt_permissions_match_the_schema(
    keycloak: RunningKeycloak, alice_tokens: dict[str, Any]
) -> None:
    response = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:uma-ticket",
            "audience": "sdk-confidential",
        },
        headers={"Authorization": f"Bearer {alice_tokens['access_token']}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    claims = _claims(response.json()["access_token"])
    permissions = claims["authorization"]["permissions"]
    assert {"rsname": "documents", "scopes": ["read"]}.items() <= next(
        p for p in permissions if p["rsname"] == "documents"
    ).items()
    assert _errors("access-token-claims.json", claims) == []


def test_live_jwks_matches_the_schema(keycloak: RunningKeycloak) -> None:
    jwks = httpx.get(f"{keycloak.issuer}/protocol/openid-connect/certs", timeout=TIMEOUT).json()
    assert jwks["keys"]
    assert _errors("jwks.json", jwks) == []


def test_live_adapter_config_matches_the_schema(keycloak: RunningKeycloak) -> None:
    with httpx.Client(base_url=keycloak.base_url, timeout=TIMEOUT) as client:
        token = client.post(
            "/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": keycloak.admin_user,
                "password": keycloak.admin_password,
            },
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        admin = f"/admin/realms/{keycloak.realm}/clients"
        (client_rep,) = client.get(admin, params={"clientId": "sdk-confidential"}).json()
        response = client.get(
            f"{admin}/{client_rep['id']}/installation/providers/keycloak-oidc-keycloak-json"
        )
    assert response.status_code == 200, response.text
    config = response.json()
    assert config["resource"] == "sdk-confidential"
    assert config["credentials"]["secret"] == "sdk-confidential-secret"
    assert _errors("adapter-config.json", config) == []


# -- the admin OpenAPI document: Maven and Maven Central, no server --------------------------


@pytest.mark.integration
def test_admin_capture_reproduces_the_committed_document_twice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two captures of 26.7.3 give the committed bytes (the first run fills Maven's cache)."""
    committed = admin_path("26.7.3").read_text(encoding="utf-8")
    assert capture_text("26.7.3") == committed
    # the second capture, through the command CI and humans use
    assert admin_capture.main(["--keycloak-version", "26.7.3", "--check", "--offline"]) == 0
    assert "is reproducible" in capsys.readouterr().out


@pytest.mark.integration
def test_admin_capture_writes_where_asked(tmp_path: Path) -> None:
    written = capture_admin("26.7.3", tmp_path, offline=True)
    assert written == tmp_path / "26.7.3" / "admin-openapi.json"
    assert written.read_bytes() == admin_path("26.7.3").read_bytes()


@pytest.mark.integration
def test_admin_capture_of_an_unknown_version_fails_clearly() -> None:
    with pytest.raises(AdminCaptureError, match="mvn could not generate"):
        capture_text("0.0.1", offline=True)
