"""Concurrency: single-flight JWKS fetches and token requests, no identity leaks between users.

Counts are taken on the hostile provider (tests/hostile/provider.py), so they are what went
over the wire, not what the SDK says it did.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from keycloak_sdk.extensions import AsyncClient, AsyncTokenManager, Client, TokenManager
from keycloak_sdk.extensions.jose import AsyncJwksCache, JwksCache
from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator

from examples import example_settings
from tests.hostile.apps import FRAMEWORKS, browser_login, build_app, is_asgi
from tests.hostile.provider import CLIENT_ID, HostileProvider
from tests.proof.serving import serve_app


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileProvider]:
    with HostileProvider.running() as provider:
        yield provider


@pytest.fixture
def provider(hostile: HostileProvider) -> HostileProvider:
    hostile.reset()
    return hostile


def _jwks_url(provider: HostileProvider) -> str:
    return f"{provider.issuer}/protocol/openid-connect/certs"


async def test_1000_async_validations_of_a_new_kid_fetch_the_jwks_once(
    provider: HostileProvider,
) -> None:
    clock = ManualClock()
    async with httpx.AsyncClient(timeout=10) as http:

        async def fetch() -> bytes:
            await asyncio.sleep(0.05)  # a fetch that takes a while: everyone piles up behind it
            return (await http.get(_jwks_url(provider))).content

        validator = AsyncTokenValidator(
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            jwks=AsyncJwksCache(fetch, clock=clock),
            accept_azp_as_audience=True,
        )
        await validator.validate_access_token(provider.access_token())
        assert provider.count("jwks") == 1
        provider.rotate()
        clock.now += 31
        tokens = [provider.access_token() for _ in range(10)]
        results = await asyncio.gather(
            *(validator.validate_access_token(tokens[i % 10]) for i in range(1000))
        )
    assert len(results) == 1000
    assert provider.count("jwks") == 2


async def test_1000_async_flow_client_validations_from_cold_fetch_once(
    provider: HostileProvider,
) -> None:
    token = provider.access_token()
    async with AsyncClient(example_settings(provider.base_url)) as client:
        results = await asyncio.gather(*(client.validate_access_token(token) for _ in range(1000)))
    assert {claims.sub for claims in results} == {provider.subject}
    assert provider.count("jwks") == 1
    assert provider.count("discovery") == 1


def test_50_threads_validating_a_new_kid_fetch_the_jwks_once(provider: HostileProvider) -> None:
    clock = ManualClock()
    validator = TokenValidator(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        jwks=JwksCache(lambda: httpx.get(_jwks_url(provider), timeout=10).content, clock=clock),
        accept_azp_as_audience=True,
    )
    validator.validate_access_token(provider.access_token())
    provider.rotate()
    clock.now += 31
    token = provider.access_token()
    with ThreadPoolExecutor(50) as pool:
        subjects = list(pool.map(lambda _: validator.validate_access_token(token).sub, range(500)))
    assert set(subjects) == {provider.subject}
    assert provider.count("jwks") == 2


def test_50_threads_on_a_cold_sync_flow_client_fetch_once(provider: HostileProvider) -> None:
    token = provider.access_token()
    with Client(example_settings(provider.base_url)) as client, ThreadPoolExecutor(50) as pool:
        subjects = list(pool.map(lambda _: client.validate_access_token(token).sub, range(500)))
    assert set(subjects) == {provider.subject}
    assert provider.count("jwks") == 1


def test_100_threads_on_a_token_manager_make_one_token_request(
    provider: HostileProvider,
) -> None:
    with Client(example_settings(provider.base_url)) as client:
        manager = TokenManager(client)
        with ThreadPoolExecutor(100) as pool:
            tokens = set(pool.map(lambda _: manager.access_token(), range(100)))
    assert len(tokens) == 1
    assert provider.count("token") == 1


async def test_100_tasks_on_an_async_token_manager_make_one_token_request(
    provider: HostileProvider,
) -> None:
    async with AsyncClient(example_settings(provider.base_url)) as client:
        manager = AsyncTokenManager(client)
        tokens = set(await asyncio.gather(*(manager.access_token() for _ in range(100))))
    assert len(tokens) == 1
    assert provider.count("token") == 1


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_interleaved_users_see_only_their_own_identity(
    framework: str, provider: HostileProvider
) -> None:
    app = build_app(framework, provider.base_url, "http://127.0.0.1:1")
    with serve_app(app, is_asgi(framework)) as url, httpx.Client(timeout=10) as browser:
        sessions: dict[str, httpx.Client] = {}
        for user in ("alice", "bob"):
            # Idle connections go before the server's keep-alive ends (uvicorn: 5 s), so no
            # request reuses a connection the server is closing at that moment.
            sessions[user] = httpx.Client(
                base_url=url, timeout=10, limits=httpx.Limits(keepalive_expiry=1.0)
            )
            provider.subject = f"{user}-sub"
            assert browser_login(sessions[user], browser).status_code == 302
        bearer = {user: provider.access_token(f"{user}-sub", user) for user in ("alice", "bob")}

        def request(job: tuple[int, str]) -> tuple[str, str, str]:
            index, user = job
            if index % 2:
                answer = sessions[user].get("/profile")
                assert answer.status_code == 200, answer.status_code
                return user, "session", str(answer.json()["user"])
            with httpx.Client(base_url=url, timeout=10) as anonymous:
                answer = anonymous.get(
                    "/api/me", headers={"Authorization": f"Bearer {bearer[user]}"}
                )
            assert answer.status_code == 200, answer.status_code
            return user, "bearer", str(answer.json()["sub"])

        jobs = list(
            zip(range(200), itertools.cycle(("alice", "bob", "bob", "alice")), strict=False)
        )
        try:
            with ThreadPoolExecutor(16) as pool:
                seen = list(pool.map(request, jobs))
        finally:
            for session in sessions.values():
                session.close()
    for user, source, identity in seen:
        expected = user if source == "session" else f"{user}-sub"
        assert identity == expected, (user, source, identity)
    assert {source for _, source, _ in seen} == {"session", "bearer"}
