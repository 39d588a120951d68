"""Renamed public names keep working: the old name is the new object and warns on use.

Each rename is listed in docs/migration.md; this test checks both.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

MIGRATION = Path(__file__).resolve().parents[2] / "docs" / "migration.md"

# (module, old name, module now defining it, new name)
RENAMED = [
    ("keycloak_sdk.extensions", "KeycloakSettings", "keycloak_sdk.extensions", "ClientSettings"),
    (
        "keycloak_sdk.extensions.config",
        "KeycloakSettings",
        "keycloak_sdk.extensions.settings",
        "ClientSettings",
    ),
    (
        "keycloak_sdk.extensions.config",
        "read_adapter_file",
        "keycloak_sdk.extensions.settings",
        "read_adapter_file",
    ),
    ("keycloak_sdk.extensions.config", "ENV_VARS", "keycloak_sdk.extensions.settings", "ENV_VARS"),
    ("keycloak_sdk.extensions.web", "WebAuthConfig", "keycloak_sdk.extensions.web", "WebSettings"),
    (
        "keycloak_sdk.extensions.web.config",
        "WebAuthConfig",
        "keycloak_sdk.extensions.web.settings",
        "WebSettings",
    ),
    (
        "keycloak_sdk.extensions.web",
        "BadRequestError",
        "keycloak_sdk.extensions.web",
        "MalformedRequestError",
    ),
    (
        "keycloak_sdk.extensions.web.errors",
        "BadRequestError",
        "keycloak_sdk.extensions.web.errors",
        "MalformedRequestError",
    ),
]


@pytest.mark.parametrize(("module", "old", "new_module", "new"), RENAMED)
def test_an_old_name_is_the_new_object_and_warns(
    module: str, old: str, new_module: str, new: str
) -> None:
    expected = getattr(importlib.import_module(new_module), new)
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{old} is deprecated; use .*{new}"):
        value = getattr(importlib.import_module(module), old)
    assert value is expected


def test_config_from_mapping_is_web_settings_from_mapping() -> None:
    from keycloak_sdk.extensions.web import settings

    with pytest.warns(DeprecationWarning, match=r"use .*WebSettings\.from_mapping"):
        build = settings.config_from_mapping
    assert build == settings.WebSettings.from_mapping
    web = build(
        {
            "KEYCLOAK_SERVER_URL": "http://127.0.0.1:8080",
            "KEYCLOAK_REALM": "sdk-test",
            "KEYCLOAK_CLIENT_ID": "sdk-public",
        },
        secret_key="a-secret-of-sixteen-bytes",
    )
    assert isinstance(web, settings.WebSettings)
    assert web.settings.client_id == "sdk-public"


def test_the_warning_points_at_the_callers_line(tmp_path: Path) -> None:
    # `from package import OldName` through the package's lazy loader is two calls deep.
    with pytest.warns(DeprecationWarning) as caught:
        from keycloak_sdk.extensions import KeycloakSettings  # noqa: F401
    assert {Path(w.filename).name for w in caught} == {Path(__file__).name}


def test_unknown_names_still_raise_attribute_error() -> None:
    for module in (
        "keycloak_sdk.extensions",
        "keycloak_sdk.extensions.config",
        "keycloak_sdk.extensions.web",
        "keycloak_sdk.extensions.web.errors",
        "keycloak_sdk.extensions.web.settings",
    ):
        with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
            _ = importlib.import_module(module).NoSuchName


def test_the_new_names_do_not_warn() -> None:
    code = (
        "from keycloak_sdk.extensions import ClientSettings\n"
        "from keycloak_sdk.extensions.settings import ClientSettings, read_adapter_file\n"
        "from keycloak_sdk.extensions.web import MalformedRequestError, WebSettings\n"
        "from keycloak_sdk.extensions.web.settings import WebSettings\n"
        "import keycloak_sdk.extensions.flask, keycloak_sdk.extensions.starlette\n"
    )
    subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code], check=True, timeout=60
    )


@pytest.mark.parametrize(("module", "old", "new_module", "new"), RENAMED)
def test_docs_migration_lists_each_rename(module: str, old: str, new_module: str, new: str) -> None:
    rows = [line for line in MIGRATION.read_text(encoding="utf-8").splitlines() if line[:1] == "|"]
    assert any(f"`{module}" in row and old in row and new in row for row in rows)
