"""docs/frameworks/fastapi.md, walked as written, against the real Keycloak.

The guide's first code block is run unchanged with the API's own client (`sdk-api`) in the
environment; alice's token comes from another client (`sdk-confidential`, whose Audience
mapper addresses its tokens to `sdk-api`). An API receives exactly such tokens, so they must
be accepted; with `KEYCLOAK_AUDIENCE` naming another API they must not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from keycloak_sdk.extensions.validation import LOGGER_NAME

from tests.helpers.keycloak import RunningKeycloak

pytestmark = pytest.mark.integration

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "frameworks" / "fastapi.md"


def _guide_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "the FastAPI guide has no python code block"
    return str(blocks[0])


def _alice_token_from_another_client(keycloak: RunningKeycloak) -> str:
    response = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "username": "alice",
            "password": "alice-password",
            "scope": "openid",
        },
        auth=("sdk-confidential", "sdk-confidential-secret"),
        timeout=30,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def api_env(keycloak: RunningKeycloak, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("KEYCLOAK_SETTINGS", "KEYCLOAK_ISSUER", "KEYCLOAK_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KEYCLOAK_SERVER_URL", keycloak.base_url)
    monkeypatch.setenv("KEYCLOAK_REALM", "sdk-test")
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "sdk-api")
    monkeypatch.setenv("KEYCLOAK_CLIENT_SECRET", "sdk-api-secret")
    yield


def _run_guide() -> Any:
    namespace: dict[str, Any] = {"__name__": "fastapi_guide"}
    exec(compile(_guide_code(), str(GUIDE), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["app"]


def test_guide_accepts_a_token_from_another_client_addressed_to_the_api(
    api_env: None, keycloak: RunningKeycloak
) -> None:
    token = _alice_token_from_another_client(keycloak)
    claims = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/token/introspect",
        data={"token": token},
        auth=("sdk-api", "sdk-api-secret"),
        timeout=30,
    ).json()
    # The premise: addressed to the API, issued to another client.
    assert "sdk-api" in claims["aud"] and claims["azp"] == "sdk-confidential"
    with TestClient(_run_guide()) as client:
        answer = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, (answer.status_code, answer.headers)
        assert client.get("/api/me").status_code == 401


def test_guide_honours_keycloak_audience(
    api_env: None,
    keycloak: RunningKeycloak,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("KEYCLOAK_AUDIENCE", "another-api")
    token = _alice_token_from_another_client(keycloak)
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    with TestClient(_run_guide()) as client:
        answer = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge
    assert "configured audience" in challenge, challenge
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    assert any("check aud" in line and "sdk-confidential" in line for line in logged), logged
    assert not any(token in line for line in logged)
