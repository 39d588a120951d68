"""`DjangoSessionStore`: the store contract on Django's database (SQLite) and cache (Django's
Redis cache on the harness's redis-server) engines, what a dump of them holds, and an
unreachable cache (`SessionStoreError`: a 503, never a logout). Each run is a process of its
own, since Django keeps one settings module per process. The multi-worker proof (gunicorn,
Chromium logins, back-channel logout) is in test_workers.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.web._servers import free_port

ROOT = Path(__file__).resolve().parents[3]


def _checks(mode: str, database: Path, redis_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.web._django_store_checks", mode,
         str(database), redis_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def test_on_the_database_engine(tmp_path: Path) -> None:
    _checks("db", tmp_path / "db.sqlite3", "redis://127.0.0.1:1/0")


def test_on_the_cache_engine(tmp_path: Path, redis_url: str) -> None:
    _checks("cache", tmp_path / "unused.sqlite3", redis_url)


@pytest.mark.parametrize("mode", ["cache-down"])
def test_an_unreachable_cache_is_an_error_never_no_session(tmp_path: Path, mode: str) -> None:
    _checks(mode, tmp_path / "unused.sqlite3", f"redis://127.0.0.1:{free_port()}/0")
