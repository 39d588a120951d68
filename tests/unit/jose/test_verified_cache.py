"""The optional verified-token cache: a repeated token is cheap and never outlives `exp`."""

from __future__ import annotations

import pytest
from keycloak_sdk.extensions.jose.errors import (
    InvalidAudienceError,
    InvalidSignatureError,
    MissingScopeError,
    TokenExpiredError,
)
from keycloak_sdk.extensions.jose.stores import VerifiedTokenCache

from tests.unit.jose.forge import (
    NOW,
    Clock,
    CountingFetch,
    access_claims,
    async_validator,
    sign,
    validator,
)


def test_cache_returns_the_same_claims_without_verifying_again() -> None:
    clock = Clock()
    checker = validator(clock, verified_token_cache_size=10)
    token = sign(access_claims())
    first = checker.validate_access_token(token)
    # Break the key set: a cache hit must not need it.
    checker._jwks._state.keys = None  # type: ignore[union-attr]
    assert checker.validate_access_token(token) is first


def test_cache_entry_expires_at_exp_without_leeway() -> None:
    clock = Clock()
    checker = validator(clock, verified_token_cache_size=10)
    token = sign(access_claims(exp=NOW + 100))
    first = checker.validate_access_token(token)
    clock.now = NOW + 99
    assert checker.validate_access_token(token) is first
    clock.now = NOW + 100
    # Past exp the entry is gone; full validation runs again (and accepts within leeway).
    again = checker.validate_access_token(token)
    assert again is not first
    clock.now = NOW + 131
    with pytest.raises(TokenExpiredError):
        checker.validate_access_token(token)


def test_cache_entry_is_also_capped_by_the_cache_ttl() -> None:
    clock = Clock()
    checker = validator(clock, verified_token_cache_size=10, verified_token_cache_ttl=5)
    token = sign(access_claims())
    first = checker.validate_access_token(token)
    clock.now += 5
    assert checker.validate_access_token(token) is not first


def test_cached_token_still_checks_audience_and_scopes_per_call() -> None:
    checker = validator(verified_token_cache_size=10)
    token = sign(access_claims(scope="openid"))
    checker.validate_access_token(token)
    with pytest.raises(InvalidAudienceError):
        checker.validate_access_token(token, audience="other-api")
    with pytest.raises(MissingScopeError):
        checker.validate_access_token(token, required_scopes=["admin"])


def test_rejected_tokens_are_not_cached() -> None:
    checker = validator(verified_token_cache_size=10)
    token = sign(access_claims(exp=NOW - 100))
    for _ in range(2):
        with pytest.raises(TokenExpiredError):
            checker.validate_access_token(token)


def test_lru_is_bounded() -> None:
    cache: VerifiedTokenCache[int] = VerifiedTokenCache(2)
    cache.put("a", 1, 100)
    cache.put("b", 2, 100)
    assert cache.get("a", 0) == 1  # a becomes most recent
    cache.put("c", 3, 100)
    assert cache.get("b", 0) is None
    assert (cache.get("a", 0), cache.get("c", 0)) == (1, 3)
    assert len(cache) == 2
    assert cache.get("a", 100) is None
    cache.clear()
    assert len(cache) == 0


def test_cache_is_off_by_default() -> None:
    checker = validator()
    token = sign(access_claims())
    assert checker.validate_access_token(token) is not checker.validate_access_token(token)


def test_cached_access_claims_answers_only_a_valid_cache_hit() -> None:
    """What the web engine asks before any I/O: a hit (expiry and audience checked again),
    else None, never an exception and never a token it has not fully validated."""
    clock = Clock()
    checker = validator(clock, verified_token_cache_size=10)
    token = sign(access_claims(exp=NOW + 100))
    assert checker.cached_access_claims(token) is None  # never validated: not answered
    first = checker.validate_access_token(token)
    assert checker.cached_access_claims(token) is first
    assert checker.cached_access_claims(token, audience="other-api") is None
    clock.now = NOW + 100
    assert checker.cached_access_claims(token) is None  # expired entry: not answered


def test_cached_access_claims_without_a_cache_is_none() -> None:
    checker = validator()
    token = sign(access_claims())
    checker.validate_access_token(token)
    assert checker.cached_access_claims(token) is None


def test_validate_now_needs_a_known_key_and_runs_every_check() -> None:
    """What the web engine asks before any I/O: None while a key would have to be fetched;
    once the key set is known, the full validation (a refusal raises as usual)."""
    clock = Clock()
    fetch = CountingFetch()
    checker = validator(clock, fetch)
    token = sign(access_claims())
    assert checker.validate_access_token_now(token) is None  # no key set yet: no fetch here
    assert fetch.calls == 0
    checker.validate_access_token(sign(access_claims(sub="someone-else")))
    claims = checker.validate_access_token_now(token)
    assert claims is not None and claims.sub == access_claims()["sub"]
    assert fetch.calls == 1
    with pytest.raises(TokenExpiredError):
        checker.validate_access_token_now(sign(access_claims(exp=NOW - 100)))
    with pytest.raises(InvalidAudienceError):
        checker.validate_access_token_now(token, audience="other-api")
    with pytest.raises(InvalidSignatureError):
        checker.validate_access_token_now(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"))
    # An unknown kid is left to validate_access_token (which refetches within its cooldown).
    assert checker.validate_access_token_now(sign(access_claims(), kid="rotated")) is None
    clock.now += 100_000  # the key set is stale: a refetch is due, so not answered here
    assert checker.validate_access_token_now(token) is None
    assert fetch.calls == 1


async def test_async_validate_now_matches_the_sync_form() -> None:
    checker = async_validator()
    token = sign(access_claims())
    assert checker.validate_access_token_now(token) is None
    await checker.validate_access_token(token)
    claims = checker.validate_access_token_now(sign(access_claims(sub="bob")))
    assert claims is not None and claims.sub == "bob"
    with pytest.raises(TokenExpiredError):
        checker.validate_access_token_now(sign(access_claims(exp=NOW - 100)))
