"""Device authorization grant and CIBA (poll mode), end to end."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from keycloak_sdk.extensions.errors import AccessDeniedError

from tests.ciba_channel import CibaChannel
from tests.helpers.flow_clients import MakeClient, maybe
from tests.helpers.keycloak import RunningKeycloak
from tests.keycloak_browser import approve_device

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_device_flow_end_to_end(make_client: MakeClient) -> None:
    kc = make_client("sdk-public")
    authorization = await maybe(kc.start_device_flow())
    assert authorization.user_code
    assert "device_code" not in repr(authorization)
    assert authorization.verification_uri_complete is not None
    # The user approves on another device while the client polls.
    approver = asyncio.get_running_loop().run_in_executor(
        None,
        approve_device,
        authorization.verification_uri_complete,
        "alice",
        "alice-password",
    )
    tokens = await maybe(kc.poll_device_flow(authorization, max_wait=60))
    await approver
    assert tokens.id_token_claims is not None
    assert tokens.id_token_claims.preferred_username == "alice"


def _answer(keycloak: RunningKeycloak, channel: CibaChannel, status: str) -> str:
    """The user's device: take Keycloak's request and answer it (in a thread, so that a
    blocking sync client can poll meanwhile)."""
    request = channel.next_request()
    response = httpx.post(
        f"{keycloak.issuer}/protocol/openid-connect/ext/ciba/auth/callback",
        headers={"Authorization": f"Bearer {request.bearer}"},
        json={"status": status},
    )
    assert response.status_code in (200, 204), response.text
    return str(request.body.get("binding_message"))


def _approve(keycloak: RunningKeycloak, channel: CibaChannel, status: str) -> asyncio.Future[str]:
    return asyncio.get_running_loop().run_in_executor(None, _answer, keycloak, channel, status)


async def test_ciba_poll_mode_end_to_end(
    make_client: MakeClient, keycloak: RunningKeycloak, ciba_channel: CibaChannel
) -> None:
    kc = make_client("sdk-ciba")
    authentication = await maybe(kc.start_ciba("alice", binding_message="SDK-42"))
    approval = _approve(keycloak, ciba_channel, "SUCCEED")
    tokens = await maybe(kc.poll_ciba(authentication, max_wait=60))
    assert await approval == "SDK-42"
    assert tokens.id_token_claims is not None
    assert tokens.id_token_claims.preferred_username == "alice"


async def test_ciba_denied_is_access_denied(
    make_client: MakeClient, keycloak: RunningKeycloak, ciba_channel: CibaChannel
) -> None:
    kc = make_client("sdk-ciba")
    authentication = await maybe(kc.start_ciba("bob"))
    denial = _approve(keycloak, ciba_channel, "CANCELLED")
    with pytest.raises(AccessDeniedError):
        await maybe(kc.poll_ciba(authentication, max_wait=60))
    await denial
