"""`python -m examples.serve FRAMEWORK`: an example app under a real server with several
workers and the Redis session store (`make example-flask WORKERS=4`, see docs/deployment.md).

Flask and Django run under gunicorn (`--worker-class sync|gthread`, `--preload`), Starlette
and FastAPI under uvicorn. Keycloak comes from $KEYCLOAK_URL (or the harness starts one), Redis
from $KEYCLOAK_REDIS_URL (or the harness starts Debian's redis-server); the workers share a
secret generated here unless $EXAMPLE_SECRET_KEY is set.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator

from examples import example_port, keycloak_base_url

DEFAULT_PORT = 8000  # the realm sends back-channel logouts of the examples here
FACTORIES = {
    "flask": "examples.workers:flask_app()",
    "django": "examples.workers:django_app()",
    "starlette": "examples.workers:starlette_app",
    "fastapi": "examples.workers:fastapi_app",
}


def server_command(
    framework: str, port: int, workers: int, worker_class: str = "sync", preload: bool = False
) -> list[str]:
    if framework in ("starlette", "fastapi"):
        # uvicorn's supervisor, with TCP_NODELAY on each connection (examples/uvicorn_workers.py).
        return [
            sys.executable, "-m", "examples.uvicorn_workers", FACTORIES[framework],
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning",
        ]  # fmt: skip
    command = [
        sys.executable, "-m", "gunicorn", FACTORIES[framework],
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", worker_class, "--log-level", "warning",
    ]  # fmt: skip
    if worker_class == "gthread":
        command += ["--threads", "4"]
    if preload:
        command.append("--preload")
    return command


def server_environment(
    framework: str, port: int, keycloak_url: str, redis_url: str, secret: str, workdir: str
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KEYCLOAK_URL=keycloak_url,
        KEYCLOAK_REDIS_URL=redis_url,
        EXAMPLE_PUBLIC_URL=f"http://127.0.0.1:{port}",
        EXAMPLE_SECRET_KEY=secret,
        DJANGO_SECRET_KEY=secret,
        DJANGO_SETTINGS_MODULE="examples.django_app.settings",
        DJANGO_EXAMPLE_PUBLIC_URL=f"http://127.0.0.1:{port}",
        DJANGO_EXAMPLE_DB=os.path.join(workdir, "db.sqlite3"),
    )
    return env


def prepare(framework: str, env: dict[str, str]) -> None:
    """Django's tables exist before the workers start (they share one database)."""
    if framework == "django":
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--verbosity", "0"], env=env, check=True
        )


@contextlib.contextmanager
def redis_url() -> Iterator[str]:
    url = os.environ.get("KEYCLOAK_REDIS_URL")
    if url:
        yield url
        return
    from harness.redis import RedisServer

    with RedisServer() as server:
        yield server.url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.serve")
    parser.add_argument("framework", choices=sorted(FACTORIES))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "4")))
    parser.add_argument("--worker-class", default=os.environ.get("WORKER_CLASS", "sync"))
    parser.add_argument("--preload", action="store_true", default=bool(os.environ.get("PRELOAD")))
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C: the server, Redis and Keycloak started here are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    port = example_port(DEFAULT_PORT)
    secret = os.environ.get("EXAMPLE_SECRET_KEY") or secrets.token_urlsafe(32)
    with (
        keycloak_base_url() as keycloak,
        redis_url() as redis,
        tempfile.TemporaryDirectory() as workdir,
    ):
        env = server_environment(args.framework, port, keycloak, redis, secret, workdir)
        prepare(args.framework, env)
        command = server_command(
            args.framework, port, args.workers, args.worker_class, args.preload
        )
        print(f"{args.workers} workers, sessions on {redis}")
        print(f"Open http://127.0.0.1:{port}/profile and log in as alice / alice-password")
        with contextlib.suppress(KeyboardInterrupt):
            return subprocess.run(command, env=env, check=False).returncode  # noqa: S603
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
