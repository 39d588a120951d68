"""Bounded load: an example app under uvicorn answers a stream of bearer requests without a
single failure and without growing its memory.

Runs against the hostile provider (tests/hostile/provider.py) answering correctly, so it
needs no Keycloak. Duration: $PROOF_LOAD_SECONDS (default 20 s; 60 s for the full run).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.hostile.apps import build_app
from tests.hostile.provider import HostileProvider
from tests.proof.serving import serve_asgi

SECONDS = float(os.environ.get("PROOF_LOAD_SECONDS", "20"))
MAX_REQUESTS = int(os.environ.get("PROOF_LOAD_MAX_REQUESTS", "200000"))
WORKERS = 4
# Generous: the interpreter's allocator and httpx pools settle within the warm-up; a leak
# of even a few hundred bytes per request would cross this within the run.
RSS_GROWTH_LIMIT_MB = 40.0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture(scope="module")
def provider() -> Iterator[HostileProvider]:
    with HostileProvider.running() as hostile:
        yield hostile


@pytest.mark.parametrize("framework", ["starlette"])
def test_bounded_load_with_a_cached_token(framework: str, provider: HostileProvider) -> None:
    app = build_app(framework, provider.base_url, "http://127.0.0.1:1")
    token = provider.access_token()
    headers = {"Authorization": f"Bearer {token}"}
    with serve_asgi(app) as url:
        with httpx.Client(base_url=url, headers=headers, timeout=10) as warm:
            for _ in range(300):
                assert warm.get("/api/me").status_code == 200
        rss_start = _rss_mb()
        results: list[tuple[int, int]] = []  # (ok, failed) per worker
        stop_at = time.monotonic() + SECONDS
        budget = MAX_REQUESTS // WORKERS
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def worker() -> None:
            ok = failed = 0
            with httpx.Client(base_url=url, headers=headers, timeout=10) as http:
                while time.monotonic() < stop_at and ok + failed < budget:
                    try:
                        answer = http.get("/api/me")
                    except httpx.HTTPError:
                        failed += 1
                        continue
                    if answer.status_code == 200 and answer.json()["sub"] == provider.subject:
                        ok += 1
                    else:
                        failed += 1
                        with lock:
                            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            with lock:
                results.append((ok, failed))

        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 30)
        elapsed = time.monotonic() - began
        rss_end = _rss_mb()
    total_ok = sum(ok for ok, _ in results)
    total_failed = sum(failed for _, failed in results)
    growth = rss_end - rss_start
    print(
        f"\nload {framework}: {total_ok} ok, {total_failed} failed in {elapsed:.1f} s "
        f"({total_ok / elapsed:.0f} req/s with {WORKERS} clients); "
        f"RSS {rss_start:.1f} -> {rss_end:.1f} MB ({growth:+.1f} MB)"
    )
    assert len(results) == WORKERS
    assert total_failed == 0, statuses
    assert total_ok > 0
    assert growth < RSS_GROWTH_LIMIT_MB
    # The token was validated once; everything after came from the cache, no JWKS refetch.
    assert provider.count("jwks") == 1
