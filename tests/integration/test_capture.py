"""Capturing from the live server reproduces the committed snapshot, and what the live server
issues (tokens, RPTs, JWKS, keycloak.json) matches spec/schemas/. Capturing the admin OpenAPI
document with Maven reproduces its committed bytes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator import admin_capture
from generator.admin_capture import AdminCaptureError, admin_path, capture_admin, capture_text
from generator.admin_mends import TEXT_BODY
from generator.capture import (
    DOCUMENTS,
    SNAPSHOT_DIR,
    capture_documents,
    capture_from_running,
    fetch_server_version,
    validator_for,
)
from tests.helpers.keycloak import RunningKeycloak

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
    written = capture_admin("26.7.3", tmp_path)
    assert written == tmp_path / "26.7.3" / "admin-openapi.json"
    assert written.read_bytes() == admin_path("26.7.3").read_bytes()


@pytest.mark.integration
def test_admin_capture_of_an_unknown_version_fails_clearly() -> None:
    with pytest.raises(AdminCaptureError, match="mvn could not generate"):
        capture_text("0.0.1", offline=True)


# -- the mends, checked against the live server ----------------------------------------------


@pytest.fixture(scope="module")
def admin_http(keycloak: RunningKeycloak) -> Iterator[httpx.Client]:
    token = httpx.post(
        f"{keycloak.base_url}/realms/master/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": keycloak.admin_user,
            "password": keycloak.admin_password,
        },
        timeout=TIMEOUT,
    )
    token.raise_for_status()
    with httpx.Client(
        base_url=f"{keycloak.base_url}/admin/realms/{keycloak.realm}",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=TIMEOUT,
    ) as client:
        yield client


def test_raw_text_bodies_are_accepted_with_the_mended_media_type(admin_http: httpx.Client) -> None:
    """The `raw-text-bodies` mend sends `text/plain; charset=utf-8`: Keycloak takes it."""
    text = {"Content-Type": TEXT_BODY}
    put = admin_http.put(
        "/localization/en/sdkMendCheck", content="Grüß dich".encode(), headers=text
    )
    assert put.status_code == 204, put.text
    try:
        got = admin_http.get("/localization/en/sdkMendCheck")
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("text/plain")  # a text response stays text
        assert got.text == "Grüß dich"
    finally:
        admin_http.delete("/localization/en/sdkMendCheck")
    description = json.dumps({"clientId": "sdk-mend-check", "redirectUris": ["https://app/cb"]})
    converted = admin_http.post(
        "/client-description-converter", content=description.encode(), headers=text
    )
    assert converted.status_code == 200, converted.text
    assert converted.json()["clientId"] == "sdk-mend-check"


def test_untyped_responses_answer_the_declared_json(admin_http: httpx.Client) -> None:
    """What the `untyped-json-responses` mend declares is what Keycloak answers."""
    (client,) = admin_http.get("/clients", params={"clientId": "sdk-confidential"}).json()
    resources = f"/clients/{client['id']}/authz/resource-server/resource"
    created = admin_http.post(
        resources, json={"name": "sdk-mend-check", "attributes": {"floor": ["3", "4"]}}
    )
    assert created.status_code == 201, created.text
    try:
        attributes = admin_http.get(f"{resources}/{created.json()['_id']}/attributes")
        assert attributes.headers["content-type"].startswith("application/json")
        assert attributes.json() == {"floor": ["3", "4"]}  # map of list of string
    finally:
        admin_http.delete(f"{resources}/{created.json()['_id']}")
    executions = admin_http.get("/authentication/flows/browser/executions").json()
    assert isinstance(executions, list) and executions
    execution = admin_http.get(f"/authentication/executions/{executions[0]['id']}").json()
    assert execution["id"] == executions[0]["id"] and "requirement" in execution
