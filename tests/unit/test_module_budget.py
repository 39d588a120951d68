"""No generated module is over the line budget; the generator splits a group that would be.

The rule (docs/generator.md, "Module size") is generic: a group whose builders are too long
for one module keeps its classes there and moves the builders, one URL's operations together,
into parts `resources/_<group>_<n>.py`. The runtime is several small modules copied from
`generator/runtime/`.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from generator import pipeline, render, spec

PACKAGE = pipeline.ROOT / "keycloak_sdk"

# Modules whose length is one line per item of Keycloak's admin document, not code we shape:
# RealmRepresentation is one schema of about 150 properties (openapi-python-client writes one
# class per schema, with its to_dict/from_dict), and the models' __init__ is the index of
# every schema (one import and one __all__ entry each). Splitting either would change
# openapi-python-client's layout, not make anything easier to read.
EXEMPT = {
    "admin/_wire/models/realm_representation.py",
    "admin/_wire/models/__init__.py",
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_generated_module_exceeds_the_budget() -> None:
    too_long = {
        str(path.relative_to(PACKAGE)): lines
        for path in _modules()
        if (lines := len(path.read_text("utf-8").splitlines())) > render.MODULE_LINE_BUDGET
    }
    assert {name: n for name, n in too_long.items() if name not in EXEMPT} == {}


def test_exemptions_are_still_needed() -> None:
    # An exemption that no longer applies is removed, so it cannot hide a new long module.
    for name in EXEMPT:
        lines = len((PACKAGE / name).read_text("utf-8").splitlines())
        assert lines > render.MODULE_LINE_BUDGET, name


def test_the_runtime_is_several_small_modules() -> None:
    copied = sorted(p.name for p in render.RUNTIME.glob("*.py") if p.name != "__init__.py")
    assert len(copied) >= 6
    for name in copied:
        assert (PACKAGE / name).is_file(), name


def _split_groups(files: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {}
    for target in files:
        name = Path(target).stem
        if target.startswith("resources/_") and name[-1].isdigit():
            parts.setdefault(name[1:].rsplit("_", 1)[0], []).append(name)
    return parts


def test_a_smaller_budget_splits_every_long_group_and_keeps_every_method(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rule names no group: with a smaller budget the same spec splits into more parts,
    # and every method of every class is still bound to a builder that its parts define.
    monkeypatch.setattr(render, "PART_LINES", 60)
    bundled = spec.load(pipeline.SPEC_DIR)
    snapshot = pipeline.SPEC_DIR / "keycloak" / pipeline.DEFAULT_KEYCLOAK_VERSION
    oidc = json.loads((snapshot / "openid-configuration.json").read_text("utf-8"))
    uma = json.loads((snapshot / "uma2-configuration.json").read_text("utf-8"))
    files = render.render_package(bundled, oidc, uma, "test", "test")
    parts = _split_groups(files)
    assert {"oidc", "uma_resource_sets"} <= parts.keys()
    assert len(parts["oidc"]) > 2
    for group, names in parts.items():
        defined = set()
        for name in names:
            tree = ast.parse(files[f"resources/{name}.py"][1])
            defined |= {f"{name}.{n.name}" for n in tree.body if isinstance(n, ast.FunctionDef)}
        classes = ast.parse(files[f"resources/{group}.py"][1])
        bound = {
            ast.unparse(node.args[0])
            for node in ast.walk(classes)
            if isinstance(node, ast.Call) and ast.unparse(node.func).startswith("rt.")
        }
        assert bound and bound <= defined, group
        # Each part is small: well under the budget before formatting.
        for name in names:
            assert files[f"resources/{name}.py"][1].count("\n") < render.MODULE_LINE_BUDGET
