"""The generator: deterministic output, headers on every file, unknown discovery keys refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import pipeline, spec
from generator.pipeline import HEADER_PREFIX, GenerationError, generate

SNAPSHOT = pipeline.SPEC_DIR / "keycloak" / pipeline.DEFAULT_KEYCLOAK_VERSION


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def generated_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first = tmp_path_factory.mktemp("gen1") / "keycloak_sdk"
    second = tmp_path_factory.mktemp("gen2") / "keycloak_sdk"
    generate(output=first)
    generate(output=second)
    return first, second


def test_regeneration_is_byte_for_byte_deterministic(generated_twice: tuple[Path, Path]) -> None:
    first, second = generated_twice
    one, two = _tree(first), _tree(second)
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def test_committed_package_matches_the_generator(generated_twice: tuple[Path, Path]) -> None:
    committed = _tree(pipeline.ROOT / "keycloak_sdk")
    committed = {k: v for k, v in committed.items() if "__pycache__" not in k}
    fresh = _tree(generated_twice[0])
    assert sorted(committed) == sorted(fresh)
    assert [name for name in fresh if committed[name] != fresh[name]] == []


def test_every_python_file_has_the_header(generated_twice: tuple[Path, Path]) -> None:
    root = generated_twice[0]
    files = sorted(root.rglob("*.py"))
    assert len(files) > 30
    missing = [
        str(p.relative_to(root)) for p in files if not p.read_text().startswith(HEADER_PREFIX)
    ]
    assert missing == []
    assert (root / "py.typed").exists()
    # openapi-python-client's endpoint functions were never used: only its models are kept.
    assert not (root / "_wire" / "api").exists()
    assert not (root / "_wire" / "client.py").exists()


def test_unknown_discovery_endpoint_is_refused(tmp_path: Path) -> None:
    discovery = json.loads((SNAPSHOT / "openid-configuration.json").read_text())
    discovery["frobnication_endpoint"] = "http://127.0.0.1/frob"
    path = tmp_path / "openid-configuration.json"
    path.write_text(json.dumps(discovery))
    with pytest.raises(GenerationError, match="'frobnication_endpoint'"):
        generate(output=tmp_path / "out", discovery_file=path)
    assert not (tmp_path / "out").exists()


def test_every_snapshot_endpoint_is_described_or_excluded() -> None:
    bundled = spec.load(pipeline.SPEC_DIR)
    for snapshot in sorted((pipeline.SPEC_DIR / "keycloak").glob("*/*-configuration.json")):
        spec.check_discovery(bundled, json.loads(snapshot.read_text()), str(snapshot))
    assert "check_session_iframe" in bundled.uncovered_keys
    assert "registration_endpoint" not in bundled.uncovered_keys  # an operation since RFC 7591


def test_every_operation_names_its_discovery_key() -> None:
    bundled = spec.load(pipeline.SPEC_DIR)
    keys = {op.operation_id: op.discovery_key for op in bundled.operations}
    assert keys["token"] == "token_endpoint"
    assert keys["register_client"] == "registration_endpoint"
    assert keys["create_resource_set"] == "resource_registration_endpoint"
    token = next(op for op in bundled.operations if op.operation_id == "token")
    methods = {variant["name"] for variant in token.raw["x-sdk-methods"]}
    assert {"uma.token", "token_ciba", "token_jwt_bearer"} <= methods
