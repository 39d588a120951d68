"""Several worker processes, one Redis: the examples under gunicorn (Flask, Django: sync and
gthread workers, with and without --preload; Redis, or Django's session framework on its
SQLite database or its Redis cache) and uvicorn (Starlette, FastAPI), 4 workers each.

Per server: two users log in through Keycloak's real page in Chromium (the login starts on
one worker and its callback may land on another), then 1,000 requests with their session
cookies, spread over the workers, all answered 200 for the right user; then Keycloak's admin
logs one user out, Keycloak posts the back-channel logout to one worker, and every worker
refuses that user's session at once while the other user's goes on.
"""

from __future__ import annotations

import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from examples.serve import prepare, server_command, server_environment
from tests.helpers.keycloak import RunningKeycloak
from tests.integration.web._servers import free_port
from tests.integration.web.test_behaviour import admin_token, bearer

pytestmark = pytest.mark.browser

WORKERS = 4
REQUESTS = 1000
SERVERS = [
    pytest.param(("flask", "sync", False), id="flask-gunicorn-sync"),
    pytest.param(("flask", "gthread", False), id="flask-gunicorn-gthread"),
    pytest.param(("flask", "sync", True), id="flask-gunicorn-sync-preload"),
    pytest.param(("flask", "gthread", True), id="flask-gunicorn-gthread-preload"),
    pytest.param(("django", "sync", False), id="django-gunicorn-sync"),
    pytest.param(("django", "gthread", False), id="django-gunicorn-gthread"),
    pytest.param(("django", "sync", True), id="django-gunicorn-sync-preload"),
    pytest.param(("django", "gthread", True), id="django-gunicorn-gthread-preload"),
    # Django's own session framework as the store: the SQLite database the workers share
    # (no Redis at all), and Django's Redis cache backend.
    pytest.param(("django", "gthread", False, "db"), id="django-gthread-db-sessions"),
    pytest.param(("django", "sync", True, "db"), id="django-sync-preload-db-sessions"),
    pytest.param(("django", "gthread", False, "cache"), id="django-gthread-cache-sessions"),
    pytest.param(("starlette", "uvicorn", False), id="starlette-uvicorn"),
    pytest.param(("fastapi", "uvicorn", False), id="fastapi-uvicorn"),
]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture
def server(
    request: pytest.FixtureRequest, keycloak: RunningKeycloak, redis_url: str
) -> Iterator[Server]:
    framework, worker_class, preload, *django_sessions = request.param
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kc-workers-") as workdir:
        env = server_environment(
            framework, port, keycloak.base_url, redis_url, secrets.token_urlsafe(32), workdir
        )
        if django_sessions:
            env["DJANGO_EXAMPLE_SESSION_STORE"] = django_sessions[0]
            if django_sessions[0] == "db":
                del env["KEYCLOAK_REDIS_URL"]  # the database alone shares the sessions
        prepare(framework, env)
        command = server_command(framework, port, WORKERS, worker_class, preload)
        log = open(f"{workdir}/server.log", "wb")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(url, process, f"{workdir}/server.log")
            yield Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            log.close()


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{open(log).read()[-3000:]}")  # noqa: SIM115
        try:
            if httpx.get(f"{url}/public", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not start:\n{open(log).read()[-3000:]}")  # noqa: SIM115


def _browser_login(browser: Any, url: str, username: str) -> dict[str, str]:
    """Log in with Chromium on Keycloak's page; the app's cookies the browser then holds."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{url}/profile")
        page.wait_for_selector("#username")
        page.fill("#username", username)
        page.fill("#password", f"{username}-password")
        page.click("#kc-login")
        page.wait_for_url(f"{url}/profile")
        assert f'"user":"{username}"' in page.content().replace(" ", "")
        return {c["name"]: c["value"] for c in context.cookies(url) if c["name"] == "kc_session"}
    finally:
        context.close()


@pytest.mark.parametrize("server", SERVERS, indirect=True)
def test_logins_requests_and_back_channel_logout_across_workers(
    server: Server, browser: Any, keycloak: RunningKeycloak
) -> None:
    cookies = {user: _browser_login(browser, server.url, user) for user in ("alice", "bob")}
    clients = {
        # Idle connections are dropped before the servers' keep-alive ends (gunicorn 2 s,
        # uvicorn 5 s): reusing one the server is closing at that moment is a reset that a
        # browser retries silently and httpx does not.
        user: httpx.Client(
            base_url=server.url,
            cookies=jar,
            timeout=30,
            limits=httpx.Limits(keepalive_expiry=1.0),
        )
        for user, jar in cookies.items()
    }
    try:

        def profile(index: int) -> tuple[str, int, str, int]:
            user = ("alice", "bob")[index % 2]
            answer = clients[user].get("/profile")
            body = answer.json() if answer.status_code == 200 else {}
            return user, answer.status_code, str(body.get("user")), int(body.get("worker", 0))

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(profile, range(REQUESTS)))
        failures = [r for r in results if r[1] != 200 or r[0] != r[2]]
        assert not failures, failures[:5]
        workers = {worker for *_, worker in results}
        assert len(workers) >= 2, f"all requests were served by {workers}"

        with _backchannel_logout_to(server.url, keycloak) as admin:
            alice = admin.get("/users", params={"username": "alice", "exact": "true"}).json()[0]
            assert admin.post(f"/users/{alice['id']}/logout").status_code == 204
            ended = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                after = list(pool.map(profile, range(200)))
            elapsed = time.monotonic() - ended
        alice_answers = {status for user, status, *_ in after if user == "alice"}
        bob_answers = {status for user, status, *_ in after if user == "bob"}
        assert alice_answers == {302}, alice_answers  # every worker: logged out
        assert bob_answers == {200}, bob_answers
        assert elapsed < 10
    finally:
        for client in clients.values():
            client.close()
    assert server.process.poll() is None, "a worker crashed the server"


class _backchannel_logout_to:
    """Point the examples' client's back-channel logout URL at this server for a while."""

    def __init__(self, url: str, keycloak: RunningKeycloak) -> None:
        self.url = url
        self.admin = httpx.Client(
            base_url=f"{keycloak.base_url}/admin/realms/{keycloak.realm}",
            headers=bearer(admin_token(keycloak)),
            timeout=30,
        )

    def __enter__(self) -> httpx.Client:
        self.client = self.admin.get("/clients", params={"clientId": "sdk-confidential"}).json()[0]
        self.saved = dict(self.client.get("attributes", {}))
        self.client["attributes"] = {
            **self.saved,
            "backchannel.logout.url": f"{self.url}/kc/backchannel-logout",
            "backchannel.logout.session.required": "true",
        }
        assert self.admin.put(f"/clients/{self.client['id']}", json=self.client).status_code == 204
        return self.admin

    def __exit__(self, *exc: object) -> None:
        self.client["attributes"] = self.saved
        self.admin.put(f"/clients/{self.client['id']}", json=self.client)
        self.admin.close()
