"""One model per concept: no public class or error name is defined twice.

Across `keycloak_sdk` (generated) and `keycloak_sdk.extensions` (handwritten), and inside the
generated core, a public class name (models and errors alike) must have one definition;
otherwise a user importing `X` from the wrong place gets a look-alike with other behaviour.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "keycloak_sdk"
EXTENSIONS = ROOT / "extensions"

# Known duplicates outside this test's owner's files, each with its reason. Adding to this
# list needs a reason; the test fails on any other duplicate.
KNOWN: dict[str, str] = {
    # One native adapter per framework, each in its own module by design: the name is the one
    # each framework's users look for. fastapi.py re-exports starlette.py's class (one
    # definition); PLACES pins the exact modules, so a fourth definition still fails.
    "AuthenticationMiddleware": "flask.py, starlette.py and django/middleware.py",
}
# Where a known duplicate may be defined, exactly.
PLACES: dict[str, list[str]] = {
    "AuthenticationMiddleware": [
        "extensions/django/middleware.py",
        "extensions/flask.py",
        "extensions/starlette.py",
    ],
}


def _public_classes(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                found[node.name].append(str(path.relative_to(root.parent)))
    return found


def duplicates() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = defaultdict(list)
    for root in (CORE, EXTENSIONS):
        for name, places in _public_classes(root).items():
            merged[name].extend(places)
    return {name: places for name, places in merged.items() if len(places) > 1}


def test_no_public_class_or_error_is_defined_twice() -> None:
    unexpected = {name: places for name, places in duplicates().items() if name not in KNOWN}
    assert unexpected == {}


def test_known_duplicates_are_defined_exactly_where_listed() -> None:
    found = duplicates()
    for name, places in PLACES.items():
        assert sorted(found.get(name, [])) == places, name


def test_a_re_export_is_not_a_second_definition() -> None:
    # FastAPI users import the Starlette middleware from the fastapi module: the same object.
    from keycloak_sdk.extensions import fastapi, starlette

    assert fastapi.AuthenticationMiddleware is starlette.AuthenticationMiddleware


def test_renamed_admin_models_keep_their_old_names() -> None:
    from keycloak_sdk.admin import models

    for old, new in (
        ("Access", "AccessTokenAccess"),
        ("Authorization", "AccessTokenAuthorization"),
        ("Confirmation", "AccessTokenConfirmation"),
        ("Permission", "AccessTokenAuthorizationPermission"),
        ("PermissionClaims", "AccessTokenAuthorizationPermissionClaims"),
    ):
        with pytest.warns(DeprecationWarning, match=new):
            assert getattr(models, old) is getattr(models, new)


def test_the_known_duplicates_are_still_duplicates() -> None:
    # When an owner renames one, its entry must leave KNOWN (the list only shrinks).
    assert sorted(set(KNOWN) - set(duplicates())) == []


def test_the_check_sees_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("class TokenResponse:\n    pass\n")
    (tmp_path / "b.py").write_text("class TokenResponse:\n    pass\nclass _Private:\n    pass\n")
    found = _public_classes(tmp_path)
    assert sorted(found) == ["TokenResponse"]
    assert [Path(p).name for p in found["TokenResponse"]] == ["a.py", "b.py"]
