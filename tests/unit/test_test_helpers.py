"""Tests import helpers from `tests.helpers`, never from a conftest module.

pytest imports each conftest itself (once per directory, under its own rules); importing one
from a test module as well can load it twice and hides where a helper lives.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def conftest_imports(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.split(".")[-1] == "conftest" for name in names):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_test_imports_from_a_conftest() -> None:
    assert conftest_imports(TESTS) == []


def test_the_check_sees_a_conftest_import(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("from tests.conftest import RunningKeycloak\n")
    (tmp_path / "test_b.py").write_text("from .conftest import x\nfrom . import conftest\n")
    (tmp_path / "test_c.py").write_text("from tests.helpers.keycloak import RunningKeycloak\n")
    assert conftest_imports(tmp_path) == ["test_a.py:1", "test_b.py:1", "test_b.py:2"]
