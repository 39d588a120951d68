"""The device/CIBA polling state machine, on a fake clock: no real sleeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from keycloak_sdk.extensions._core import Flow, Now, Sleep, oidc
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.device import device_code_expired, poll_token_endpoint
from keycloak_sdk.extensions.errors import (
    AccessDeniedError,
    DeviceFlowExpiredError,
    PollingTimeoutError,
)
from keycloak_sdk.extensions.tokens import TokenSet

from keycloak_sdk.errors import OAuthError
from keycloak_sdk.models import TokenResponse
from tests.unit.flows.mock_server import ISSUER, FakeKeycloak, oauth_error, token_response

CALL = oidc("token_device_code", "dc-secret")
Answer = TokenResponse | OAuthError


def error(code: str) -> OAuthError:
    """The typed error the core raises for this OAuth error response."""
    answer = oauth_error(code)
    return OAuthError.from_response(answer.status_code, answer.content, dict(answer.headers))


def tokens_of(access_token: str) -> TokenResponse:
    return TokenResponse(access_token=access_token, token_type="Bearer", expires_in=300)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def drive(flow: Flow[TokenSet], answers: Iterator[Answer], clock: FakeClock) -> TokenSet:
    """Run a flow the way SyncDriver does, with a fake clock and canned core results."""
    try:
        op = next(flow)
        while True:
            result: Any
            if isinstance(op, Now):
                result = clock.now
            elif isinstance(op, Sleep):
                clock.sleep(op.seconds)
                result = None
            else:
                assert op == CALL
                result = next(answers)
                if isinstance(result, OAuthError):
                    op = flow.throw(result)
                    continue
            op = flow.send(result)
    except StopIteration as stop:
        value: TokenSet = stop.value
        return value


def poll(
    clock: FakeClock, *, expires_in: float = 600, max_wait: float | None = None
) -> Flow[TokenSet]:
    return poll_token_endpoint(
        CALL,
        interval=5,
        expires_at=clock.now + expires_in,
        max_wait=max_wait,
        expired=device_code_expired,
    )


def test_pending_then_slow_down_then_success() -> None:
    clock = FakeClock()
    answers: Iterator[Answer] = iter(
        [
            error("authorization_pending"),
            error("slow_down"),
            error("authorization_pending"),
            tokens_of("final"),
        ]
    )
    tokens = drive(poll(clock), answers, clock)
    assert tokens.access_token == "final"
    # RFC 8628 §3.5: slow_down adds 5 seconds to every following interval.
    assert clock.sleeps == [5, 5, 10, 10]


def test_expired_token_is_a_typed_error() -> None:
    clock = FakeClock()
    answers = iter([error("authorization_pending"), error("expired_token")])
    with pytest.raises(DeviceFlowExpiredError):
        drive(poll(clock), answers, clock)


def test_expiry_is_noticed_without_asking_the_server() -> None:
    clock = FakeClock()
    answers = iter([error("authorization_pending")] * 10)
    with pytest.raises(DeviceFlowExpiredError):
        drive(poll(clock, expires_in=12), answers, clock)
    assert sum(clock.sleeps) <= 12


def test_max_wait_bounds_the_polling() -> None:
    clock = FakeClock()
    answers = iter([error("authorization_pending")] * 100)
    with pytest.raises(PollingTimeoutError):
        drive(poll(clock, max_wait=20), answers, clock)
    assert sum(clock.sleeps) <= 20


def test_denial_is_access_denied() -> None:
    clock = FakeClock()
    with pytest.raises(AccessDeniedError) as caught:
        drive(poll(clock), iter([error("access_denied")]), clock)
    assert caught.value.error == "access_denied"


def _scripted(*answers: httpx.Response) -> Callable[[dict[str, str]], httpx.Response]:
    remaining = list(answers)
    return lambda form: remaining.pop(0)


def test_sync_client_polls_with_its_sleep() -> None:
    server = FakeKeycloak(
        _scripted(oauth_error("authorization_pending"), oauth_error("slow_down"), token_response())
    )
    clock = FakeClock()
    client = Client(issuer=ISSUER, client_id="tv", http_client=server.sync_http())
    client._driver.sleep = clock.sleep
    authorization = client.start_device_flow()
    tokens = client.poll_device_flow(authorization)
    assert tokens.access_token == "at-1"
    assert clock.sleeps == [5, 5, 10]
    sent = server.token_requests[-1]
    assert sent["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    assert sent["device_code"] == "dc-secret"
    assert sent["code_verifier"] == authorization.code_verifier


async def test_async_client_polls_with_asyncio_sleep() -> None:
    server = FakeKeycloak(_scripted(oauth_error("slow_down"), token_response()))
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    client = AsyncClient(issuer=ISSUER, client_id="tv", http_client=server.async_http())
    client._driver.sleep = fake_sleep
    authorization = await client.start_device_flow()
    assert (await client.poll_device_flow(authorization)).access_token == "at-1"
    assert slept == [5, 10]
