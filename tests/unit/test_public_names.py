"""One model per concept: no public class or error name is defined twice.

Across `keycloak_sdk` (generated) and `keycloak_sdk.extensions` (handwritten), and inside the
generated core, a public class name (models and errors alike) must have one definition;
otherwise a user importing `X` from the wrong place gets a look-alike with other behaviour.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "keycloak_sdk"
EXTENSIONS = ROOT / "extensions"

# Known duplicates outside this test's owner's files, each with its reason. Adding to this
# list needs a reason; the test fails on any other duplicate.
KNOWN: dict[str, str] = {
    # One native adapter per framework, each in its own module by design.
    "AuthenticationMiddleware": "flask.py, starlette.py and django/middleware.py",
    # Keycloak's admin document describes the example tokens of clients.evaluate_scopes with
    # its own schemas (AccessToken.Access, .Authorization, .Confirmation, Permission), kept
    # under Keycloak's names in keycloak_sdk.admin.models; mapping them onto the validated
    # claims documents (x-document) is open work of the admin client.
    "Access": "keycloak_sdk/admin/_wire/models/access.py (admin example token)",
    "Authorization": "keycloak_sdk/admin/_wire/models/authorization.py (admin example token)",
    "Confirmation": "keycloak_sdk/admin/_wire/models/confirmation.py (admin example token)",
    "Permission": "keycloak_sdk/admin/_wire/models/permission.py (admin example token)",
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


def test_the_known_duplicates_are_still_duplicates() -> None:
    # When an owner renames one, its entry must leave KNOWN (the list only shrinks).
    assert sorted(set(KNOWN) - set(duplicates())) == []


def test_the_check_sees_a_duplicate(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("class TokenResponse:\n    pass\n")
    (tmp_path / "b.py").write_text("class TokenResponse:\n    pass\nclass _Private:\n    pass\n")
    found = _public_classes(tmp_path)
    assert sorted(found) == ["TokenResponse"]
    assert [Path(p).name for p in found["TokenResponse"]] == ["a.py", "b.py"]
