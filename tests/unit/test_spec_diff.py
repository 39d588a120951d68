"""generator.spec_diff: plain-words differences between discovery snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import spec_diff
from generator.spec_diff import (
    SnapshotError,
    available_versions,
    diff_snapshots,
    latest_version,
    report,
    snapshot,
)

OLD: dict[str, Any] = {
    "openid-configuration": {
        "issuer": "{issuer}",
        "token_endpoint": "{issuer}/protocol/openid-connect/token",
        "device_authorization_endpoint": "{issuer}/protocol/openid-connect/auth/device",
        "grant_types_supported": ["authorization_code", "implicit", "password"],
        "response_types_supported": ["code", "id_token"],
        "response_modes_supported": ["query"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "name"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "id_token_encryption_enc_values_supported": ["A128GCM"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "subject_types_supported": ["public"],
        "mtls_endpoint_aliases": {"token_endpoint": "{issuer}/protocol/openid-connect/token"},
        "require_pushed_authorization_requests": False,
        "check_session_iframe": "{issuer}/login-status-iframe.html",
    },
    "uma2-configuration": {"issuer": "{issuer}", "policy_endpoint": "{issuer}/authz/policy"},
}

NEW: dict[str, Any] = {
    "openid-configuration": {
        "issuer": "{issuer}",
        "token_endpoint": "{issuer}/protocol/openid-connect/token",
        "device_authorization_endpoint": "{issuer}/protocol/openid-connect/device",
        "pushed_authorization_request_endpoint": "{issuer}/protocol/openid-connect/ext/par",
        "grant_types_supported": ["authorization_code", "password", "urn:x:jwt-bearer"],
        "response_types_supported": ["code", "id_token"],
        "response_modes_supported": ["query", "jwt"],
        "scopes_supported": ["openid", "profile", "organization"],
        "claims_supported": ["sub"],
        "id_token_signing_alg_values_supported": ["RS256", "EdDSA"],
        "id_token_encryption_enc_values_supported": ["A128GCM", "A256GCM"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public", "pairwise"],
        "mtls_endpoint_aliases": {
            "token_endpoint": "{issuer}/protocol/openid-connect/token",
            "userinfo_endpoint": "{issuer}/protocol/openid-connect/userinfo",
        },
        "require_pushed_authorization_requests": True,
        "authorization_response_iss_parameter_supported": True,
    },
    "uma2-configuration": {"issuer": "{issuer}", "policy_endpoint": "{issuer}/authz/policy"},
}

EXPECTED = """\
Discovery of Keycloak 1.0.0 → 2.0.0 (spec/keycloak/)

openid-configuration.json
  Endpoints
    Keycloak 2.0.0 removes endpoint check_session_iframe (was "{issuer}/login-status-iframe.html")
    Keycloak 2.0.0 moves endpoint device_authorization_endpoint from \
"{issuer}/protocol/openid-connect/auth/device" to "{issuer}/protocol/openid-connect/device"
    Keycloak 2.0.0 adds mTLS endpoint alias userinfo_endpoint: \
{issuer}/protocol/openid-connect/userinfo
    Keycloak 2.0.0 adds endpoint pushed_authorization_request_endpoint: \
"{issuer}/protocol/openid-connect/ext/par"
  Grant types
    Keycloak 2.0.0 adds grant type urn:x:jwt-bearer
    Keycloak 2.0.0 removes grant type implicit
  Response modes
    Keycloak 2.0.0 adds response mode jwt
  Scopes
    Keycloak 2.0.0 adds scope organization
  Claims
    Keycloak 2.0.0 removes claim name (claims_supported)
  Signing algorithms
    Keycloak 2.0.0 adds dpop_signing_alg_values_supported
    Keycloak 2.0.0 adds signing algorithm ES256 (dpop_signing_alg_values_supported)
    Keycloak 2.0.0 adds signing algorithm EdDSA (id_token_signing_alg_values_supported)
  Encryption algorithms
    Keycloak 2.0.0 adds encryption algorithm A256GCM (id_token_encryption_enc_values_supported)
  Client authentication methods
    Keycloak 2.0.0 adds client authentication method private_key_jwt \
(token_endpoint_auth_methods_supported)
  Code challenge methods
    Keycloak 2.0.0 removes code challenge method plain
  Other supported values
    Keycloak 2.0.0 adds value pairwise (subject_types_supported)
  Other metadata
    Keycloak 2.0.0 adds authorization_response_iss_parameter_supported = true
    Keycloak 2.0.0 changes require_pushed_authorization_requests from false to true

18 differences.
"""


def test_synthetic_snapshots_give_the_expected_report() -> None:
    changes = diff_snapshots(OLD, NEW, "2.0.0")
    assert report(changes, "1.0.0", "2.0.0") == EXPECTED


def test_identical_snapshots_say_so() -> None:
    assert diff_snapshots(OLD, OLD, "1.0.1") == []
    assert report([], "1.0.0", "1.0.1").endswith(
        "Keycloak 1.0.0 and 1.0.1 advertise identical discovery documents.\n"
    )


def test_added_and_removed_documents_are_reported() -> None:
    only_oidc = {"openid-configuration": OLD["openid-configuration"]}
    lines = [c.line for c in diff_snapshots(only_oidc, OLD, "2.0.0")]
    assert lines == ["Keycloak 2.0.0 adds document uma2-configuration"]
    lines = [c.line for c in diff_snapshots(OLD, only_oidc, "2.0.0")]
    assert lines == ["Keycloak 2.0.0 removes document uma2-configuration"]


def test_real_snapshots_26_4_7_to_26_7_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert spec_diff.main(["26.4.7", "26.7.3", "--discovery-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Discovery of Keycloak 26.4.7 → 26.7.3")
    changes = diff_snapshots(snapshot("26.4.7"), snapshot("26.7.3"), "26.7.3")
    if changes:
        assert all(change.line in out for change in changes)
        assert out.endswith(f"{len(changes)} difference{'s' if len(changes) != 1 else ''}.\n")
    else:
        assert "advertise identical discovery documents" in out


def test_unknown_version_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert spec_diff.main(["26.4.7", "9.9.9"]) == 2
    err = capsys.readouterr().err
    assert "no snapshot for Keycloak 9.9.9" in err
    assert "26.7.3" in err  # names what is available


def test_latest_version_uses_version_order(tmp_path: Path) -> None:
    for version in ("26.9.1", "26.10.0", "26.2.0", "notes"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "openid-configuration.json").write_text("{}\n")
    assert available_versions(tmp_path) == ["26.2.0", "26.9.1", "26.10.0"]
    assert latest_version(tmp_path) == "26.10.0"
    assert snapshot("26.10.0", tmp_path) == {"openid-configuration": {}}


def test_latest_version_without_snapshots_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError):
        latest_version(tmp_path)


def test_latest_committed_version_is_at_least_the_default() -> None:
    latest = latest_version()
    assert spec_diff.version_key(latest) >= spec_diff.version_key("26.7.3")
    assert snapshot(latest)["openid-configuration"]["issuer"] == "{issuer}"
