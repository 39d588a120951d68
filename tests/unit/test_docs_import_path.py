"""The API reference finds keycloak_sdk.extensions, which the wheel maps from extensions/."""

from __future__ import annotations

from pathlib import Path

import griffe
import yaml

from tools.docs_import_path import ROOT, TREE, build_tree


def test_the_tree_holds_the_core_and_the_extensions(tmp_path: Path) -> None:
    tree = build_tree(ROOT, tmp_path / "tree")
    package = tree / "keycloak_sdk"
    assert (package / "extensions").resolve() == ROOT / "extensions"
    assert (package / "client.py").resolve() == ROOT / "keycloak_sdk" / "client.py"
    found = griffe.ModuleFinder(search_paths=[tree]).find_spec("keycloak_sdk.extensions.client")
    assert found[1].name == "keycloak_sdk"
    # A second build replaces the first (no stale entries, no error on existing links).
    assert build_tree(ROOT, tmp_path / "tree") == tree


def test_mkdocs_uses_the_tree_and_references_the_extensions() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "tools/docs_import_path.py" in config["hooks"]
    (plugin,) = [p for p in config["plugins"] if isinstance(p, dict) and "mkdocstrings" in p]
    paths = plugin["mkdocstrings"]["handlers"]["python"]["paths"]
    assert [ROOT / p for p in paths] == [TREE]
    page = (ROOT / "docs" / "reference" / "extensions.md").read_text(encoding="utf-8")
    assert "::: keycloak_sdk.extensions.client" in page
