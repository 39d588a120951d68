"""spec/schemas/: valid draft 2020-12, the snapshots match them, and so do the generated models."""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pydantic
import pytest

from generator import documents
from generator.capture import DOCUMENTS, expand, render, validator_for
from generator.spec_diff import available_versions, snapshot

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "spec" / "schemas"
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.json"))
ISSUER = "https://sso.example.com/realms/sdk-test"
SERVER = "https://sso.example.com"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def _errors(schema_file: str, document: Any) -> list[str]:
    return [error.message for error in validator_for(schema_file).iter_errors(document)]


def test_every_expected_schema_exists() -> None:
    assert [path.name for path in SCHEMA_FILES] == [
        "access-token-claims.json",
        "adapter-config.json",
        "id-token-claims.json",
        "jwks.json",
        "logout-token-claims.json",
        "provider-metadata.json",
        "uma2-configuration.json",
    ]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    # Kept as 2-space JSON ending in a newline, like every committed JSON file.
    assert path.read_text(encoding="utf-8").endswith("}\n")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_property_is_described(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    objects = [schema, *schema.get("$defs", {}).values()]
    for node in objects:
        assert node.get("title"), f"{path.name}: an object without title"
        assert node.get("description"), f"{path.name}: {node.get('title')} has no description"
        for name, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{path.name}: {name} has no description"


# -- snapshots -------------------------------------------------------------------------------


def _snapshot_cases() -> Iterator[Any]:
    for version in available_versions():
        for doc in DOCUMENTS:
            yield pytest.param(version, doc, id=f"{version}/{doc.file_name}")


def test_the_three_supported_versions_are_captured() -> None:
    assert {"26.4.7", "26.5.6", "26.7.3"} <= set(available_versions())


@pytest.mark.parametrize(("version", "doc"), list(_snapshot_cases()))
def test_snapshot_matches_its_schema_and_is_normalized(version: str, doc: Any) -> None:
    path = ROOT / "spec" / "keycloak" / version / doc.file_name
    text = path.read_text(encoding="utf-8")
    normalized = json.loads(text)
    # Byte-stable form: rendering it again changes nothing.
    assert render(normalized) == text
    assert normalized["issuer"] == "{issuer}"
    assert "127.0.0.1" not in text and "localhost" not in text
    # With real URLs in place of the placeholders it validates, formats included.
    assert _errors(doc.schema_file, expand(normalized, issuer=ISSUER, server=SERVER)) == []


def test_snapshot_validation_catches_a_broken_document() -> None:
    metadata = expand(snapshot("26.7.3")["openid-configuration"], issuer=ISSUER, server=SERVER)
    broken = copy.deepcopy(metadata)
    del broken["jwks_uri"]
    broken["grant_types_supported"] = "authorization_code"
    broken["token_endpoint"] = "/protocol/openid-connect/token"
    errors = _errors("provider-metadata.json", broken)
    assert "'jwks_uri' is a required property" in errors
    assert "'/protocol/openid-connect/token' is not a 'uri'" in errors
    assert any("is not of type 'array'" in e for e in errors)


# -- claims examples shaped like what Keycloak 26 issues ---------------------------------------


def _id_token() -> dict[str, Any]:
    return {
        "exp": 1767225900,
        "iat": 1767225600,
        "auth_time": 1767225598,
        "jti": "ntrtna:6f9d1c3e-0d55-4c35-9a58-4f1e1c7b2a10",
        "iss": ISSUER,
        "aud": "sdk-confidential",
        "sub": "0b6c3f9e-8a11-4a53-9a0e-2d3f1f5b7c21",
        "typ": "ID",
        "azp": "sdk-confidential",
        "nonce": "n-0S6_WzA2Mj",
        "sid": "4f7a3c1d-2b9e-4c1a-8e5f-6d7c8b9a0e1f",
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
        "acr": "1",
        "email_verified": True,
        "name": "Alice Liddell",
        "preferred_username": "alice",
        "given_name": "Alice",
        "family_name": "Liddell",
        "email": "alice@example.com",
    }


def _access_token() -> dict[str, Any]:
    return {
        "exp": 1767225900,
        "iat": 1767225600,
        "jti": "onrtac:1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "iss": ISSUER,
        "aud": ["sdk-api", "account"],
        "sub": "0b6c3f9e-8a11-4a53-9a0e-2d3f1f5b7c21",
        "typ": "Bearer",
        "azp": "sdk-confidential",
        "sid": "4f7a3c1d-2b9e-4c1a-8e5f-6d7c8b9a0e1f",
        "acr": "1",
        "allowed-origins": ["http://127.0.0.1:8000"],
        "realm_access": {"roles": ["user", "offline_access"]},
        "resource_access": {"sdk-confidential": {"roles": ["reader"]}},
        "scope": "openid profile email",
        "authorization": {
            "permissions": [
                {"rsid": "8b1c…", "rsname": "documents", "scopes": ["read"]},
                {"rsid": "9c2d…", "rsname": "admin-area", "claims": {"ip": ["10.0.0.1"]}},
            ]
        },
        "email_verified": True,
        "preferred_username": "alice",
        "custom_mapper_claim": {"anything": [1, 2]},
    }


def _logout_token() -> dict[str, Any]:
    return {
        "iat": 1767225600,
        "exp": 1767225720,
        "jti": "0b9d6d7e-2c1f-4d3a-9b8e-7f6a5d4c3b2a",
        "iss": ISSUER,
        "aud": "sdk-confidential",
        "sub": "0b6c3f9e-8a11-4a53-9a0e-2d3f1f5b7c21",
        "typ": "Logout",
        "sid": "4f7a3c1d-2b9e-4c1a-8e5f-6d7c8b9a0e1f",
        "events": {LOGOUT_EVENT: {}},
    }


def _adapter_config() -> dict[str, Any]:
    return {
        "realm": "sdk-test",
        "auth-server-url": "https://sso.example.com/",
        "ssl-required": "external",
        "resource": "sdk-confidential",
        "verify-token-audience": True,
        "credentials": {"secret": "sdk-confidential-secret"},
        "use-resource-role-mappings": True,
        "confidential-port": 0,
        "policy-enforcer": {"credentials": {}},
    }


def _jwks() -> dict[str, Any]:
    return {
        "keys": [
            {"kid": "k1", "kty": "RSA", "alg": "RS256", "use": "sig", "n": "q0E3", "e": "AQAB"},
            {"kid": "k2", "kty": "EC", "alg": "ES256", "crv": "P-256", "x": "f83O", "y": "x_FE"},
            {"kid": "k3", "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519", "x": "11qY"},
        ]
    }


def _without(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


GOOD = [
    ("id-token-claims.json", _id_token()),
    ("access-token-claims.json", _access_token()),
    ("logout-token-claims.json", _logout_token()),
    ("logout-token-claims.json", _without(_logout_token(), "sub")),
    ("adapter-config.json", _adapter_config()),
    ("jwks.json", _jwks()),
]
BAD = [
    ("id-token-claims.json", _without(_id_token(), "sub"), "'sub' is a required property"),
    ("id-token-claims.json", {**_id_token(), "exp": "tomorrow"}, "'tomorrow' is not of type"),
    ("id-token-claims.json", {**_id_token(), "aud": 7}, "7 is not valid"),
    ("id-token-claims.json", {**_id_token(), "iss": "sdk-test"}, "'sdk-test' is not a 'uri'"),
    (
        "access-token-claims.json",
        {**_access_token(), "realm_access": {"roles": "admin"}},
        "'admin' is not of type 'array'",
    ),
    (
        "access-token-claims.json",
        {**_access_token(), "authorization": {"permissions": [{"rsname": 3}]}},
        "3 is not of type 'string'",
    ),
    ("logout-token-claims.json", {**_logout_token(), "nonce": "n"}, "should not be valid"),
    ("logout-token-claims.json", _without(_logout_token(), "sub", "sid"), "is not valid under any"),
    ("logout-token-claims.json", {**_logout_token(), "events": {}}, f"'{LOGOUT_EVENT}' is a"),
    ("adapter-config.json", {**_adapter_config(), "ssl-required": "some"}, "is not one of"),
    ("adapter-config.json", _without(_adapter_config(), "resource"), "'resource' is a required"),
    ("jwks.json", {"keys": [{"kty": "RSA", "n": "q0E3"}]}, "'e' is a required property"),
    ("jwks.json", {"keys": [{"kid": "no-kty"}]}, "'kty' is a required property"),
]


# Formats are checked by the schemas only: the models keep URLs as the exact strings sent, since
# pydantic's URL types would normalize them (and an issuer must compare byte for byte).
SCHEMA_ONLY = {"'sdk-test' is not a 'uri'"}


@pytest.mark.parametrize(("schema_file", "document"), GOOD, ids=[g[0] for g in GOOD])
def test_real_shaped_documents_validate(schema_file: str, document: dict[str, Any]) -> None:
    assert _errors(schema_file, document) == []


@pytest.mark.parametrize(
    ("schema_file", "document", "message"), BAD, ids=[f"{b[0]}:{b[2][:30]}" for b in BAD]
)
def test_broken_documents_are_rejected(
    schema_file: str, document: dict[str, Any], message: str
) -> None:
    errors = _errors(schema_file, document)
    assert any(message in error for error in errors), errors


# -- the generated pydantic models --------------------------------------------------------------

PACKAGE = "generated_documents_under_test"
MODEL_OF = {
    "access-token-claims.json": "AccessTokenPayload",
    "adapter-config.json": "AdapterConfig",
    "id-token-claims.json": "IdTokenPayload",
    "jwks.json": "JsonWebKeySet",
    "logout-token-claims.json": "LogoutTokenPayload",
    "provider-metadata.json": "ProviderMetadata",
    "uma2-configuration.json": "UmaProviderMetadata",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    root = tmp_path_factory.mktemp("documents")
    out = root / PACKAGE
    documents.generate(ROOT / "spec", out)
    sys.path.insert(0, str(root))
    try:
        yield out, importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_generation_is_deterministic(generated: tuple[Path, ModuleType], tmp_path: Path) -> None:
    out, _ = generated
    again = tmp_path / PACKAGE
    documents.generate(ROOT / "spec", again)
    first = {p.name: p.read_bytes() for p in sorted(out.glob("*.py"))}
    second = {p.name: p.read_bytes() for p in sorted(again.glob("*.py"))}
    assert first == second
    header = "# Generated by keycloak-sdk's generator from spec/schemas/jwks.json — do not edit.\n"
    assert first["jwks.py"].decode().startswith(header)
    # The pipeline adds its own header to any file without this prefix; ours must be the only one.
    for name, text in first.items():
        assert text.startswith(b"# Generated by keycloak-sdk's generator from "), name


def test_generated_code_passes_ruff_and_mypy_strict(generated: tuple[Path, ModuleType]) -> None:
    out, _ = generated
    config = f"--config={ROOT / 'pyproject.toml'}"
    for tool in (
        [sys.executable, "-m", "ruff", "check", config, str(out)],
        [sys.executable, "-m", "ruff", "format", "--check", config, str(out)],
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out)],
    ):
        result = subprocess.run(tool, capture_output=True, text=True, cwd=out.parent, check=False)
        assert result.returncode == 0, f"{tool[2:4]}:\n{result.stdout}{result.stderr}"


def test_models_accept_good_documents_and_round_trip(generated: tuple[Path, ModuleType]) -> None:
    _, package = generated
    for schema_file, document in GOOD:
        model = getattr(package, MODEL_OF[schema_file]).from_dict(document)
        assert model.to_dict() == document


def test_models_reject_what_the_schemas_reject(generated: tuple[Path, ModuleType]) -> None:
    _, package = generated
    for schema_file, document, message in BAD:
        if message in SCHEMA_ONLY:
            continue
        with pytest.raises(pydantic.ValidationError):
            getattr(package, MODEL_OF[schema_file]).from_dict(document)


def test_models_parse_every_snapshot(generated: tuple[Path, ModuleType]) -> None:
    _, package = generated
    for version in available_versions():
        docs = snapshot(version)
        metadata = package.ProviderMetadata.from_dict(docs["openid-configuration"])
        assert metadata.issuer == "{issuer}"
        assert "authorization_code" in (metadata.grant_types_supported or [])
        uma = package.UmaProviderMetadata.from_dict(docs["uma2-configuration"])
        assert uma.permission_endpoint == "{issuer}/authz/protection/permission"


def test_models_keep_secrets_out_of_repr(generated: tuple[Path, ModuleType]) -> None:
    _, package = generated
    config = package.AdapterConfig.from_dict(_adapter_config())
    assert "sdk-confidential-secret" not in repr(config)
    assert "sdk-confidential-secret" not in str(config)
    assert config.to_dict()["credentials"]["secret"] == "sdk-confidential-secret"
    key = package.JsonWebKey.from_dict({"kty": "oct", "k": "c2VjcmV0LWtleQ"})
    assert "c2VjcmV0LWtleQ" not in repr(key)


def test_models_are_typed_and_immutable(generated: tuple[Path, ModuleType]) -> None:
    _, package = generated
    claims = package.AccessTokenPayload.from_dict(_access_token())
    assert claims.resource_access["sdk-confidential"].roles == ["reader"]
    assert claims.authorization.permissions[0].scopes == ["read"]
    assert claims.allowed_origins == ["http://127.0.0.1:8000"]
    assert claims.custom_mapper_claim == {"anything": [1, 2]}  # unknown claims are kept
    with pytest.raises(pydantic.ValidationError):
        claims.scope = "admin"
