"""MkDocs hook: a docs-only import tree in which `keycloak_sdk.extensions` is found statically.

The wheel maps the handwritten `extensions/` folder to `keycloak_sdk.extensions` (setup.py);
mkdocstrings (griffe) finds packages by walking folders, so it finds `keycloak_sdk/` in the
project root and no `extensions` below it. Before the build, this hook writes
`build/docs-import-path/keycloak_sdk/`: a copy of `keycloak_sdk/` with `extensions/` copied in
as its `extensions` subpackage, which mkdocs.yml gives the Python handler as its `paths` (and
which comes first on sys.path, since the handler also imports the package). A copy, not
symlinks: griffe resolves a module's real path and skips one that lies outside its package.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "docs-import-path"


def build_tree(root: Path = ROOT, tree: Path = TREE) -> Path:
    """(Re)create the import tree; returns the folder that holds the `keycloak_sdk` package."""
    package = tree / "keycloak_sdk"
    if tree.exists():
        shutil.rmtree(tree)
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(root / "keycloak_sdk", package, ignore=skip)
    shutil.copytree(root / "extensions", package / "extensions", ignore=skip)
    return tree


# Before mkdocstrings' own config event: the Python handler keeps only those of its `paths`
# that exist when it reads them, so on a fresh checkout the tree must be there already.
@event_priority(100)
def on_config(config: Any) -> Any:
    # First on sys.path, ahead of the project root that `python -m mkdocs` puts there: the
    # handler imports the package (force_inspection) and must get it from the tree.
    sys.path.insert(0, str(build_tree()))
    return config
