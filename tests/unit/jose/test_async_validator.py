"""AsyncTokenValidator mirrors TokenValidator: same names, same results, same errors."""

from __future__ import annotations

import inspect

import pytest
from keycloak_sdk.extensions.jose.errors import (
    InvalidNonceError,
    InvalidTokenTypeError,
    TokenReplayedError,
)
from keycloak_sdk.extensions.jose.stores import AsyncInMemoryReplayStore, InMemoryReplayStore
from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator

from tests.unit.jose.forge import (
    NOW,
    access_claims,
    async_validator,
    id_claims,
    logout_claims,
    sign,
)


def test_same_public_methods_and_parameters() -> None:
    def public(cls: type) -> dict[str, list[str]]:
        # `close` is `aclose` in the async class, as in httpx and the flow clients.
        return {
            "close" if name == "aclose" else name: list(inspect.signature(member).parameters)
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")
        }

    assert public(TokenValidator) == public(AsyncTokenValidator)
    assert list(inspect.signature(TokenValidator.from_issuer).parameters) == list(
        inspect.signature(AsyncTokenValidator.from_issuer).parameters
    )
    assert list(inspect.signature(TokenValidator).parameters) == list(
        inspect.signature(AsyncTokenValidator).parameters
    )


async def test_async_access_id_and_logout() -> None:
    checker = async_validator()
    assert (await checker.validate_access_token(sign(access_claims()))).sub == "user-1"
    assert (await checker.validate_id_token(sign(id_claims()), nonce="n-0S6_WzA2Mj")).name
    with pytest.raises(InvalidNonceError):
        await checker.validate_id_token(sign(id_claims()), nonce="other")
    with pytest.raises(InvalidTokenTypeError):
        await checker.validate_access_token(sign(id_claims(aud="sdk-api")))
    token = sign(logout_claims())
    assert (await checker.validate_logout_token(token)).sid == "session-1"
    with pytest.raises(TokenReplayedError):
        await checker.validate_logout_token(token)


async def test_async_verified_cache() -> None:
    checker = async_validator(verified_token_cache_size=4)
    token = sign(access_claims())
    first = await checker.validate_access_token(token)
    assert await checker.validate_access_token(token) is first


async def test_custom_async_replay_store_is_used() -> None:
    store = AsyncInMemoryReplayStore()
    checker = async_validator(replay_store=store)
    await checker.validate_logout_token(sign(logout_claims()))
    assert len(store) == 1


def test_in_memory_replay_store_forgets_expired_and_is_bounded() -> None:
    store = InMemoryReplayStore(max_entries=3)
    assert store.add("a", NOW + 10, now=NOW)
    assert not store.add("a", NOW + 10, now=NOW + 5)
    assert store.add("a", NOW + 20, now=NOW + 10)  # the first entry expired
    for jti in ("b", "c", "d"):
        assert store.add(jti, NOW + 100, now=NOW + 11)
    assert len(store) == 3
    with pytest.raises(ValueError):
        InMemoryReplayStore(0)


async def test_from_issuer_opens_like_the_core_client_with_or_without_await() -> None:
    import httpx

    issuer = "http://127.0.0.1:9/realms/demo"
    discovery = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/certs",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }
    closed: list[AsyncTokenValidator] = []

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=discovery)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncTokenValidator.from_issuer(issuer, client_id="api", http_client=http) as v:
        assert isinstance(v, AsyncTokenValidator)
        real_aclose = v.aclose

        async def tracking_aclose() -> None:
            closed.append(v)
            await real_aclose()

        v.aclose = tracking_aclose  # type: ignore[method-assign]
    assert closed == [v]
    awaited = await AsyncTokenValidator.from_issuer(issuer, client_id="api", http_client=http)
    assert isinstance(awaited, AsyncTokenValidator)
    await awaited.aclose()
    await http.aclose()
