"""What `make dist` builds installs cleanly and works: the wheel in a fresh virtual environment
with each extra runs the README's quick start (and the landing page's one for that framework)
against the real Keycloak, outside the source tree so nothing can shadow the installed wheel.
"""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.docs.blocks import DOCS_SERVER, Block, parse
from tests.helpers.keycloak import RunningKeycloak

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "keycloak-typed-sdk"
# Every extra pyproject declares, with the distributions it must bring.
EXTRA_REQUIREMENTS: dict[str, list[str]] = {
    extra: [Requirement(spec).name for spec in specs]
    for extra, specs in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ].items()
}
EXTRAS = sorted(EXTRA_REQUIREMENTS)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, built the way `make dist` builds them (wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (sdist,) = out.glob("keycloak_typed_sdk-*.tar.gz")
    (wheel,) = out.glob("keycloak_typed_sdk-*-py3-none-any.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def wheel(dist: tuple[Path, Path]) -> Path:
    return dist[1]


def _public_modules(names: list[str]) -> list[str]:
    modules = []
    for name in names:
        if not name.endswith(".py") or "/_" in name.replace("__init__.py", ""):
            continue
        module = name[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        modules.append(module)
    return sorted(modules)


def _clean_env() -> dict[str, str]:
    hidden = ("KEYCLOAK_", "DJANGO_SETTINGS_MODULE", "KC_SPI_", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if not k.startswith(hidden)}


def _venv_with(wheel: Path, extra: str, where: Path) -> Path:
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    requirement = f"{wheel}[{extra}]" if extra else str(wheel)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ],
        check=True,
    )
    return python


def test_wheel_layout_and_metadata(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    assert "keycloak_sdk/py.typed" in names
    assert "keycloak_sdk/extensions/__init__.py" in names
    assert "keycloak_sdk/extensions/py.typed" in names
    # Nothing from the repository's tooling leaks into the distribution.
    assert not [n for n in names if n.split("/")[0] in {"generator", "harness", "tests", "spec"}]
    (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
    assert metadata["Name"] == DISTRIBUTION
    assert metadata["License-Expression"] == "Apache-2.0"
    assert set(metadata.get_all("Provides-Extra") or []) == set(EXTRAS)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_sdist_holds_the_sources_and_the_license(dist: tuple[Path, Path]) -> None:
    sdist, _ = dist
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = {"LICENSE", "README.md", "pyproject.toml", "setup.py"}
    expected |= {"keycloak_sdk/__init__.py", "extensions/__init__.py"}
    assert expected <= names


def test_every_public_module_imports_from_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    python = _venv_with(wheel, ",".join(EXTRAS), tmp_path / "venv")
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
    result = subprocess.run(
        [str(python), "-c", script],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def quick_start(extra: str) -> list[Block]:
    """The README's Python blocks, then the landing page's typed call and, when the landing
    page has a runnable quick start for this extra's framework, its setup and those blocks."""
    readme = [b for b in parse(ROOT / "README.md") if b.runs]
    landing = [b for b in parse(ROOT / "docs" / "index.md") if b.runs]
    typed_call, user_token = landing[0], landing[1]
    framework = [b for b in landing[2:] if f"keycloak_sdk.extensions.{extra} " in b.code]
    blocks = [*readme, typed_call]
    if extra and framework:
        blocks += [user_token, *framework]
    return blocks


def test_the_landing_page_runs_a_quick_start_for_each_web_framework() -> None:
    for framework in ("flask", "starlette", "fastapi"):
        assert len(quick_start(framework)) > len(quick_start("")), framework


@pytest.mark.parametrize("extra", ["", *EXTRAS])
def test_quick_start_runs_from_the_installed_wheel(
    wheel: Path, extra: str, tmp_path: Path, keycloak: RunningKeycloak
) -> None:
    python = _venv_with(wheel, extra, tmp_path / "venv")
    blocks = quick_start(extra)
    # The extra brings what it declares (Django, for one, is shown as settings, not run).
    probe = "".join(
        f"importlib.metadata.version({name!r})\n" for name in EXTRA_REQUIREMENTS.get(extra, [])
    )
    probe = "import importlib.metadata\n" + probe
    script = tmp_path / "quick_start.py"
    script.write_text(
        probe
        + "\n".join(
            f"# --- {block.where}\n{block.code.replace(DOCS_SERVER, keycloak.base_url)}"
            for block in blocks
        )
    )
    result = subprocess.run(
        [str(python), str(script)],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"{script.read_text()}\n{result.stderr}"
    assert "Bearer" in result.stdout
