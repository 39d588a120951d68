"""Project files that must agree with each other: the lint commands of the Makefile and of the
pre-commit configuration, and the one default Keycloak version."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml

from generator import pipeline
from harness import keycloak as harness

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"


def _make_lint_commands() -> list[list[str]]:
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "Makefile has no lint target"
    commands = []
    for line in recipe.group(1).splitlines():
        words = shlex.split(line.strip())
        assert words[0] == "$(PY)", line
        commands.append([word for word in words[1:] if word != "."])
    return commands


def _pre_commit_commands() -> list[list[str]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    commands = []
    for repo in config["repos"]:
        assert repo["repo"] == "local", "hooks run the project's own pinned tools"
        for hook in repo["hooks"]:
            assert hook["language"] == "system"
            words = shlex.split(hook["entry"])
            assert words[0] == ".venv/bin/python", hook["id"]
            commands.append([word for word in words[1:] if word != "--force-exclude"])
    return commands


def test_pre_commit_runs_exactly_the_make_lint_commands() -> None:
    assert _pre_commit_commands() == _make_lint_commands()
    assert _make_lint_commands() == [
        ["-m", "ruff", "check"],
        ["-m", "ruff", "format", "--check"],
        ["-m", "tools.typecheck"],
    ]


def test_pre_commit_hooks_see_the_files_make_lint_checks() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    # `ruff format --check .` checks the Python blocks of Markdown files too.
    assert "markdown" in hooks["ruff-format"]["types_or"]
    assert {"python", "pyi"} <= set(hooks["ruff-check"]["types_or"])
    # The type check runs on the whole tree, whichever file changed.
    assert hooks["mypy-strict"]["pass_filenames"] is False


def test_pre_commit_accepts_its_configuration_and_runs_the_ruff_hooks() -> None:
    subprocess.run([str(PRE_COMMIT), "validate-config"], cwd=ROOT, check=True)
    files = ["setup.py", "tools/typecheck.py", "tests/unit/test_project_files.py", "README.md"]
    for hook in ("ruff-check", "ruff-format"):
        result = subprocess.run(
            [str(PRE_COMMIT), "run", hook, "--files", *files],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Passed" in result.stdout


def test_one_default_keycloak_version() -> None:
    version = (ROOT / "spec" / "keycloak" / "default-version").read_text().strip()
    assert harness.DEFAULT_VERSION == pipeline.DEFAULT_KEYCLOAK_VERSION == version
    assert (ROOT / "spec" / "keycloak" / version / "openid-configuration.json").is_file()
    make = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "print-version"],
        input="print-version:\n\t@echo $(KEYCLOAK_VERSION)\n",
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert make.stdout.strip() == version
    # No other file spells the default out.
    for path in ("Makefile", "harness/keycloak.py", "generator/pipeline.py"):
        assert version not in (ROOT / path).read_text(), path
