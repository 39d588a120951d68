"""The wheel users install gives both import paths and every public module imports from it."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
    )
    (built,) = out.glob("keycloak_sdk-*.whl")
    return built


def _public_modules(names: list[str]) -> list[str]:
    modules = []
    for name in names:
        if not name.endswith(".py") or "/_" in name.replace("__init__.py", ""):
            continue
        module = name[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        modules.append(module)
    return sorted(modules)


def test_wheel_layout(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "keycloak_sdk/py.typed" in names
    assert "keycloak_sdk/extensions/__init__.py" in names
    assert "keycloak_sdk/extensions/py.typed" in names
    # Nothing from the repository's tooling leaks into the distribution.
    assert not [n for n in names if n.split("/")[0] in {"generator", "harness", "tests", "spec"}]


def test_every_public_module_imports_from_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    extras = "[flask,starlette,fastapi,django,redis]"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{wheel}{extras}"], check=True)
    modules = _public_modules(zipfile.ZipFile(wheel).namelist())
    assert "keycloak_sdk" in modules and "keycloak_sdk.extensions" in modules
    # Django's modules need configured settings to import, as in any Django project.
    script = (
        "import importlib, sys\n"
        "import django\n"
        "from django.conf import settings\n"
        "settings.configure(INSTALLED_APPS=['django.contrib.auth', "
        "'django.contrib.contenttypes'])\n"
        "django.setup()\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(len(sys.modules))\n"
    )
    # Run outside the repository so the source tree cannot shadow the installed wheel.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [str(python), "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
