"""The API reference finds keycloak_sdk.extensions, which the wheel maps from extensions/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import griffe
import yaml

from tools.docs_import_path import ROOT, TREE, build_tree, on_config


def test_the_tree_holds_the_core_and_the_extensions(tmp_path: Path) -> None:
    tree = build_tree(ROOT, tmp_path / "tree")
    package = tree / "keycloak_sdk"
    copied = (package / "extensions" / "client.py").read_bytes()
    assert copied == (ROOT / "extensions" / "client.py").read_bytes()
    assert not (package / "extensions").is_symlink()
    found = griffe.ModuleFinder(search_paths=[tree]).find_spec("keycloak_sdk.extensions.client")
    assert found[1].name == "keycloak_sdk"
    # What the docs build does: import from the tree and inspect. In a fresh interpreter, since
    # this one imported keycloak_sdk from the editable install. With symlinks instead of a copy
    # griffe resolved the real paths and left the extensions out.
    probe = (
        "import sys, griffe; sys.path.insert(0, sys.argv[1]); "
        "m = griffe.load('keycloak_sdk', search_paths=[sys.argv[1]], force_inspection=True); "
        "print(sorted(m['extensions'].members))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tree)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,  # away from the checkout's own keycloak_sdk/
    )
    assert "'client'" in done.stdout
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


def test_the_tree_exists_before_mkdocstrings_reads_its_paths() -> None:
    # mkdocstrings' Python handler drops a `paths` entry that does not exist yet; on a fresh
    # checkout (no build/) the reference page then failed. The hook's config event runs first.
    assert getattr(on_config, "mkdocs_priority", 0) > 0
