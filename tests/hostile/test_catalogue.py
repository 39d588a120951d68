"""docs/hostile-provider.md and the hostile tests agree: every case id in the tables has a
test, every test named on the page exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from tests.hostile.cases import ID_TOKEN_CASES, LOGOUT_TOKEN_CASES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "hostile-provider.md"
MODULES = (
    "test_id_tokens",
    "test_provider_faults",
    "test_authorization_response",
    "test_logout_tokens",
    "test_token_rules",
    "test_dpop",
)


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_every_case_id_is_on_the_page() -> None:
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", _page(), flags=re.MULTILINE))
    ids = {case.id for case in (*ID_TOKEN_CASES, *LOGOUT_TOKEN_CASES)}
    assert ids == listed


def test_every_test_named_on_the_page_exists() -> None:
    functions = {
        name
        for module in MODULES
        for name in dir(importlib.import_module(f"tests.hostile.{module}"))
        if name.startswith("test_")
    }
    named = set(re.findall(r"\b(test_[a-z0-9_]+)\b", _page()))
    named -= {f"{module}" for module in MODULES} | {"test_catalogue"}
    missing = named - functions
    assert not missing, missing
    assert named, "the page names no tests"
