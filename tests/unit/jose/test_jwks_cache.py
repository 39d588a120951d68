"""JWKS caching: rotation, refetch cooldown, single flight, stale keys and TTL bounds."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time

import pytest
from keycloak_sdk.extensions.jose.errors import JwksUnavailableError, KeyNotFoundError
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk
from keycloak_sdk.extensions.jose.jwks import (
    AsyncJwksCache,
    JwksCache,
    JwksFetchResult,
    JwksResponse,
    parse_max_age,
)

from tests.unit.jose.forge import (
    NOW,
    Clock,
    CountingFetch,
    access_claims,
    async_validator,
    default_jwks,
    rsa_key,
    sign,
    validator,
)


def _rotated() -> dict[str, object]:
    document = default_jwks()
    keys = document["keys"]
    assert isinstance(keys, list)
    keys.append(public_key_to_jwk(rsa_key("rotated").public_key(), kid="rsa-2", alg="RS256"))
    return document


def _rotated_token() -> str:
    return sign(access_claims(), rsa_key("rotated"), kid="rsa-2")


def test_keys_are_fetched_once_and_reused() -> None:
    fetch = CountingFetch()
    checker = validator(fetch=fetch)
    for _ in range(5):
        checker.validate_access_token(sign(access_claims()))
    assert fetch.calls == 1


def test_rotation_unknown_kid_triggers_one_refetch_then_accepts() -> None:
    clock, fetch = Clock(), CountingFetch()
    checker = validator(clock, fetch)
    checker.validate_access_token(sign(access_claims()))
    fetch.document = _rotated()
    clock.now += 31
    assert checker.validate_access_token(_rotated_token()).sub == "user-1"
    assert fetch.calls == 2
    # The old key is still in the rotated set: old tokens stay valid without more fetches.
    checker.validate_access_token(sign(access_claims()))
    assert fetch.calls == 2


def test_unknown_kid_within_cooldown_does_not_refetch() -> None:
    clock, fetch = Clock(), CountingFetch()
    checker = validator(clock, fetch)
    checker.validate_access_token(sign(access_claims()))
    fetch.document = _rotated()
    clock.now += 10
    with pytest.raises(KeyNotFoundError):
        checker.validate_access_token(_rotated_token())
    assert fetch.calls == 1
    clock.now += 21
    assert checker.validate_access_token(_rotated_token()).sub == "user-1"
    assert fetch.calls == 2


def test_random_kids_cause_at_most_one_refetch_per_cooldown() -> None:
    clock, fetch = Clock(), CountingFetch()
    checker = validator(clock, fetch)
    checker.validate_access_token(sign(access_claims()))
    for window in range(1, 4):
        clock.now += 30
        for _ in range(100):
            token = sign(access_claims(), kid=secrets.token_urlsafe(8))
            with pytest.raises(KeyNotFoundError):
                checker.validate_access_token(token)
            clock.now += 0.25  # 100 kids spread over 25 s, inside one cooldown
        assert fetch.calls == 1 + window


class _SlowFetch(CountingFetch):
    """Sleeps inside the fetch so that concurrent callers really overlap."""

    def __call__(self) -> JwksFetchResult:
        time.sleep(0.05)
        return super().__call__()

    async def fetch_async(self) -> JwksFetchResult:
        await asyncio.sleep(0.05)
        return CountingFetch.__call__(self)


async def test_async_cold_start_1000_tasks_one_fetch() -> None:
    fetch = _SlowFetch()
    checker = async_validator(fetch=fetch)
    token = sign(access_claims())
    results = await asyncio.gather(*(checker.validate_access_token(token) for _ in range(1000)))
    assert len(results) == 1000
    assert fetch.calls == 1


async def test_async_new_kid_1000_tasks_exactly_one_refetch() -> None:
    clock, fetch = Clock(), _SlowFetch()
    checker = async_validator(clock, fetch)
    await checker.validate_access_token(sign(access_claims()))
    fetch.document = _rotated()
    clock.now += 31
    token = _rotated_token()
    results = await asyncio.gather(*(checker.validate_access_token(token) for _ in range(1000)))
    assert {claims.sub for claims in results} == {"user-1"}
    assert fetch.calls == 2


def _run_threads(count: int, work: object) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def body() -> None:
        barrier.wait()
        try:
            work()  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_cold_start_one_fetch() -> None:
    fetch = _SlowFetch()
    checker = validator(fetch=fetch)
    token = sign(access_claims())
    assert _run_threads(50, lambda: checker.validate_access_token(token)) == []
    assert fetch.calls == 1


def test_threads_new_kid_exactly_one_refetch() -> None:
    clock, fetch = Clock(), _SlowFetch()
    checker = validator(clock, fetch)
    checker.validate_access_token(sign(access_claims()))
    fetch.document = _rotated()
    clock.now += 31
    token = _rotated_token()
    assert _run_threads(50, lambda: checker.validate_access_token(token)) == []
    assert fetch.calls == 2


def test_threads_unknown_kid_exactly_one_refetch_and_all_rejected() -> None:
    clock, fetch = Clock(), _SlowFetch()
    checker = validator(clock, fetch)
    checker.validate_access_token(sign(access_claims()))
    clock.now += 31
    token = sign(access_claims(), kid="nobody")
    errors = _run_threads(50, lambda: checker.validate_access_token(token))
    assert len(errors) == 50
    assert all(isinstance(error, KeyNotFoundError) for error in errors)
    assert fetch.calls == 2


def test_stale_keys_are_kept_when_refetch_fails() -> None:
    clock, fetch = Clock(), CountingFetch()
    checker = validator(clock, fetch)
    token = sign(access_claims(exp=NOW + 10_000))
    checker.validate_access_token(token)
    fetch.fail = True
    clock.now += 601  # past the default TTL
    assert checker.validate_access_token(token).sub == "user-1"
    assert fetch.calls == 2
    # A failed refresh is retried no sooner than the cooldown.
    clock.now += 10
    checker.validate_access_token(token)
    assert fetch.calls == 2
    clock.now += 21
    checker.validate_access_token(token)
    assert fetch.calls == 3
    fetch.fail = False
    clock.now += 31
    checker.validate_access_token(token)
    assert fetch.calls == 4
    clock.now += 31
    checker.validate_access_token(token)
    assert fetch.calls == 4  # healthy again: back to the TTL


def test_malformed_jwks_counts_as_a_failed_fetch() -> None:
    clock, fetch = Clock(), CountingFetch()
    cache = JwksCache(fetch, clock=clock)
    cache.get_key("rsa-1", "RS256")
    fetch.document = {"not": "a jwks"}
    clock.now += 601
    assert cache.get_key("rsa-1", "RS256").kid == "rsa-1"
    assert fetch.calls == 2


def test_no_keys_ever_is_jwks_unavailable() -> None:
    fetch = CountingFetch(fail=True)
    with pytest.raises(JwksUnavailableError):
        validator(fetch=fetch).validate_access_token(sign(access_claims()))


def test_no_keys_retries_after_a_second() -> None:
    clock, fetch = Clock(), CountingFetch(fail=True)
    cache = JwksCache(fetch, clock=clock)
    with pytest.raises(JwksUnavailableError):
        cache.get_key("rsa-1", "RS256")
    with pytest.raises(JwksUnavailableError):
        cache.get_key("rsa-1", "RS256")
    assert fetch.calls == 1
    fetch.fail = False
    clock.now += 1
    assert cache.get_key("rsa-1", "RS256").kid == "rsa-1"
    assert fetch.calls == 2


@pytest.mark.parametrize(
    "cache_control,ttl",
    [
        ("max-age=5", 60),  # below min_ttl
        ("public, max-age=3600", 3600),
        ("max-age=999999", 86400),  # above max_ttl
        ("no-cache", 60),  # Keycloak's own header
        ("no-store", 60),
        (None, 600),
        ("max-age=bogus", 600),
    ],
)
def test_cache_control_ttl_is_bounded(cache_control: str | None, ttl: int) -> None:
    clock, fetch = Clock(), CountingFetch(cache_control=cache_control)
    cache = JwksCache(fetch, clock=clock)
    cache.get_key("rsa-1", "RS256")
    clock.now += ttl - 1
    cache.get_key("rsa-1", "RS256")
    assert fetch.calls == 1
    clock.now += 1
    cache.get_key("rsa-1", "RS256")
    assert fetch.calls == 2


def test_parse_max_age() -> None:
    assert parse_max_age("max-age=300") == 300
    assert parse_max_age('Max-Age="120", public') == 120
    assert parse_max_age("no-cache, max-age=300") == 0
    assert parse_max_age("public") is None
    assert parse_max_age(None) is None


def test_fetch_may_return_bytes_mapping_or_response() -> None:
    document = default_jwks()
    for result in (json.dumps(document).encode(), document, JwksResponse(document, "max-age=60")):
        cache = JwksCache(lambda result=result: result)  # type: ignore[misc]
        assert cache.get_key("ec-1", "ES256").kid == "ec-1"


def test_forced_refresh() -> None:
    fetch = CountingFetch()
    cache = JwksCache(fetch)
    assert len(cache.refresh()) == 3
    assert len(cache.refresh()) == 3
    assert fetch.calls == 2
    assert cache.fetch_count == 2


async def test_async_cache_stale_keys_and_refresh() -> None:
    clock, fetch = Clock(), CountingFetch()
    cache = AsyncJwksCache(fetch.fetch_async, clock=clock)
    assert (await cache.get_key("rsa-1", "RS256")).kid == "rsa-1"
    fetch.fail = True
    clock.now += 601
    assert (await cache.get_key("rsa-1", "RS256")).kid == "rsa-1"
    assert fetch.calls == 2
    fetch.fail = False
    assert len(await cache.refresh()) == 3
    assert cache.keys is not None


def test_invalid_ttl_configuration() -> None:
    with pytest.raises(ValueError, match="TTL"):
        JwksCache(CountingFetch(), min_ttl=100, default_ttl=50)
