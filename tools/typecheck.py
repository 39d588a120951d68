"""Run mypy --strict over the whole repository, as the installed package sees itself.

mypy cannot follow setuptools' editable-install finder, which is what maps the extensions/
folder to keycloak_sdk.extensions. So we lay out that final import tree as symlinks under
.cache/typecheck/ and put it first on mypy's path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEW = ROOT / ".cache" / "typecheck"
CHECKED = ["generator", "harness", "tests", "benchmarks", "examples", "tools", "setup.py"]


def build_view() -> Path:
    shutil.rmtree(VIEW, ignore_errors=True)
    package = VIEW / "keycloak_sdk"
    package.mkdir(parents=True)
    for entry in (ROOT / "keycloak_sdk").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    (package / "extensions").symlink_to(ROOT / "extensions")
    return VIEW


def main(argv: list[str]) -> int:
    view = build_view()
    # mypy refuses a folder with no Python file in it (examples/ starts empty).
    targets = [name for name in CHECKED if name.endswith(".py") or any((ROOT / name).rglob("*.py"))]
    env = dict(os.environ, MYPYPATH=str(view))
    cmd = [sys.executable, "-m", "mypy", *argv, str(view / "keycloak_sdk"), *targets]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
