"""The example apps under a real server, loaded over loopback: req/s and p99 latency.

Each example runs as in production (examples/serve.py: gunicorn for Flask and Django, uvicorn
for Starlette and FastAPI, `WORKERS` workers, sessions on Redis) against the local fake
provider. A bounded load generator (`CONCURRENCY` threads with keep-alive connections,
`REQUESTS` requests per route) measures GET /public and GET /api/me with one bearer token.
Absolute numbers depend on the machine (and on the load generator sharing its CPUs); they are
reported, not compared with a target.
"""

from __future__ import annotations

import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx

from benchmarks.report import Row

SECTION = "Real servers over loopback (examples, Redis sessions)"
DESCRIPTION = (
    "The example apps as deployed (examples/serve.py; sessions on Redis) against the local fake "
    "provider, loaded over loopback by a thread-pool httpx client (keep-alive connections) that "
    "shares the machine's CPUs. Starlette and FastAPI run under uvicorn's multi-process "
    "supervisor started by examples/uvicorn_workers.py: uvicorn's own `--workers` binds the "
    "shared socket without `IPPROTO_TCP`, so asyncio never sets TCP_NODELAY and every "
    "keep-alive response waits ~40 ms for the client's delayed ACK (Kludex/uvicorn#3149). "
    "Measured on this machine: a bare Starlette app under `uvicorn --workers 2` answers one "
    "keep-alive connection in 45.6 ms per request, in 0.5 ms with one worker, and in 0.2 ms "
    "under the launcher (with 8 connections: ~170 req/s for every route before, whatever the "
    "app)."
)
FRAMEWORKS = ("flask", "django", "starlette", "fastapi")
WORKERS = 2
CONCURRENCY = 8
REQUESTS = 2000


@contextmanager
def _serving(framework: str, provider_url: str, redis_url: str) -> Iterator[str]:
    from examples.serve import prepare, server_command, server_environment
    from tests.integration.web._servers import free_port

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as workdir:
        env = server_environment(
            framework, port, provider_url, redis_url, secrets.token_urlsafe(32), workdir
        )
        prepare(framework, env)
        command = server_command(framework, port, WORKERS, "gthread")
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/public", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{framework} did not start")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(20)


def _load(url: str, path: str, headers: dict[str, str]) -> tuple[float, float, int]:
    """req/s, p99 in ms, and the number of non-200 answers."""
    local = threading.local()
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()

    def one(_: int) -> None:
        nonlocal failures
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=30)
        began = time.perf_counter()
        status = client.get(path, headers=headers).status_code
        elapsed = time.perf_counter() - began
        with lock:
            latencies.append(elapsed)
            failures += status != 200

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(100)))  # warm-up: connections, caches, worker imports
        latencies.clear()
        began = time.perf_counter()
        list(pool.map(one, range(REQUESTS)))
        total = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return REQUESTS / total, p99, failures


def run() -> list[Row]:
    from harness.redis import RedisServer
    from tests.hostile.provider import HostileProvider

    rows: list[Row] = []
    with HostileProvider.running() as provider, RedisServer() as redis:
        token = provider.access_token()
        for framework in FRAMEWORKS:
            server = "uvicorn" if framework in ("starlette", "fastapi") else "gunicorn gthread"
            with _serving(framework, provider.base_url, redis.url) as url:
                for path, headers in (
                    ("/public", {}),
                    ("/api/me", {"Authorization": f"Bearer {token}"}),
                ):
                    rate, p99, failures = _load(url, path, headers)
                    note = f"{server}, {WORKERS} workers, {CONCURRENCY} connections"
                    rows.append(Row(SECTION, f"{framework}: GET {path}", rate, "req/s", note=note))
                    rows.append(
                        Row(
                            SECTION,
                            f"{framework}: GET {path}, p99 latency",
                            p99,
                            "ms",
                            note=f"{failures} non-200 answers of {REQUESTS}",
                        )
                    )
    return rows
