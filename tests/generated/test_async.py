"""Every operation of spec/openapi/, through the async client (same names as the sync one)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Callable

import pytest

from keycloak_sdk import (
    AsyncKeycloakClient,
    AuthorizationPendingError,
    ConflictError,
    EndpointNotAdvertisedError,
    ForbiddenError,
    InvalidGrantError,
    NotFoundError,
    UnauthorizedClientError,
    UnexpectedResponseError,
    UnsupportedGrantTypeError,
)
from keycloak_sdk.models import (
    PermissionTicket,
    PermissionTicketRequest,
    ProviderMetadata,
    Resource,
    UmaPolicy,
)
from tests.ciba_channel import CibaChannel
from tests.helpers.generated import CONFIDENTIAL, REDIRECT_URI, server_resource, unique
from tests.helpers.keycloak import RunningKeycloak
from tests.keycloak_browser import approve_device, login_redirect


async def test_oidc_operations(issuer: str) -> None:
    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        assert (await kc.provider_metadata()).issuer == issuer
        url = kc.oidc.authorization_url(redirect_uri=REDIRECT_URI, state="a-1", kc_idp_hint=None)
        redirect = login_redirect(url, "alice", "alice-password", REDIRECT_URI)
        tokens = await kc.oidc.token_authorization_code(redirect["code"], REDIRECT_URI)
        assert tokens["token_type"].lower() == "bearer"

        user = await kc.oidc.userinfo(tokens.access_token)
        assert user.preferred_username == "alice"
        with pytest.raises(UnexpectedResponseError):
            await kc.oidc.userinfo_jwt(tokens.access_token)

        assert isinstance(tokens.refresh_token, str)
        refreshed = await kc.oidc.token_refresh(tokens.refresh_token, scope="openid")
        # Only a client in the token's audience (sdk-api) sees it as active.
        async with AsyncKeycloakClient.from_issuer(
            issuer, client_id="sdk-api", client_secret="sdk-api-secret"
        ) as api:
            info = await api.oidc.introspect(refreshed.access_token)
            assert info.active is True
            assert info.client_id == "sdk-confidential"

        password = await kc.oidc.token_password("bob", "bob-password")
        service = await kc.oidc.token_client_credentials()
        assert service.access_token and password.access_token
        await kc.oidc.revoke(password.access_token, token_type_hint="access_token")
        assert (await kc.oidc.introspect(password.access_token)).active is False
        assert service.expires_in

        assert isinstance(refreshed.refresh_token, str)
        await kc.oidc.logout(refreshed.refresh_token)
        with pytest.raises(InvalidGrantError):
            await kc.oidc.token_refresh(refreshed.refresh_token)

        assert kc.oidc.end_session_url(post_logout_redirect_uri=REDIRECT_URI).startswith(
            f"{issuer}/protocol/openid-connect/logout?"
        )
        keys = await kc.oidc.jwks()
        assert keys.keys
        assert (await kc.oidc.jwks_response()).content

        pushed = await kc.oidc.pushed_authorization(redirect_uri=REDIRECT_URI)
        assert pushed.request_uri


async def test_public_client_flows(issuer: str) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    async with AsyncKeycloakClient.from_issuer(issuer, client_id="sdk-public") as public:
        url = public.oidc.authorization_url(
            redirect_uri=REDIRECT_URI, code_challenge=challenge, code_challenge_method="S256"
        )
        redirect = login_redirect(url, "bob", "bob-password", REDIRECT_URI)
        tokens = await public.oidc.token_authorization_code(
            redirect["code"], REDIRECT_URI, code_verifier=verifier
        )
        assert tokens.access_token

        start = await public.oidc.device_authorization(
            scope="openid", code_challenge=challenge, code_challenge_method="S256"
        )
        with pytest.raises(AuthorizationPendingError):
            await public.oidc.token_device_code(start.device_code, code_verifier=verifier)
        assert isinstance(start.verification_uri_complete, str)
        approve_device(start.verification_uri_complete, "bob", "bob-password")
        await asyncio.sleep((start.interval if isinstance(start.interval, int) else 5) + 1)
        device_tokens = await public.oidc.token_device_code(
            start.device_code, code_verifier=verifier
        )
        assert device_tokens.access_token


async def test_ciba_exchange_and_errors(
    issuer: str, ciba_channel: CibaChannel, keycloak: RunningKeycloak
) -> None:
    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id="sdk-ciba", client_secret="sdk-ciba-secret"
    ) as ciba:
        started = await ciba.oidc.backchannel_authentication(login_hint="bob")
        assert ciba_channel.next_request().body["login_hint"] == "bob"
        with pytest.raises(AuthorizationPendingError):
            await ciba.oidc.token_ciba(started.auth_req_id)
        trimmed = {
            k: v
            for k, v in (await ciba.provider_metadata()).to_dict().items()
            if k != "device_authorization_endpoint"
        }
    async with AsyncKeycloakClient(
        ProviderMetadata.from_dict(trimmed), client_id="sdk-public"
    ) as partial:
        with pytest.raises(EndpointNotAdvertisedError):
            await partial.oidc.device_authorization()

    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id="sdk-confidential", client_secret="nope"
    ) as bad:
        with pytest.raises(UnauthorizedClientError):
            await bad.oidc.token_client_credentials()

    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        subject = await kc.oidc.token_password("alice", "alice-password")
        with pytest.raises(InvalidGrantError):
            await kc.oidc.token_password("alice", "wrong")
    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id="sdk-exchange", client_secret="sdk-exchange-secret"
    ) as exchanger:
        if not keycloak.at_least(26, 2):  # standard token exchange came in 26.2
            with pytest.raises(UnsupportedGrantTypeError):
                await exchanger.oidc.token_exchange(subject.access_token, audience="sdk-api")
            return
        exchanged = await exchanger.oidc.token_exchange(subject.access_token, audience="sdk-api")
        assert exchanged.access_token


async def test_uma_operations(issuer: str, user_owned_resource: Callable[[str], str]) -> None:
    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        assert (await kc.uma.metadata()).permission_endpoint
        pat = (await kc.oidc.token_client_credentials()).access_token
        alice = await kc.oidc.token_password("alice", "alice-password")
        with pytest.raises(ForbiddenError):
            await kc.uma.resource_sets.list_ids(alice.access_token)

        name = unique("ares")
        created = await kc.uma.resource_sets.create(pat, server_resource(name))
        assert isinstance(created.id, str)
        rid = created.id
        try:
            with pytest.raises(ConflictError):
                await kc.uma.resource_sets.create(pat, Resource(name=name))
            fetched = await kc.uma.resource_sets.get(pat, rid)
            fetched.display_name = "Async"
            await kc.uma.resource_sets.update(pat, rid, fetched)
            assert [r.display_name for r in await kc.uma.resource_sets.list(pat, name=name)] == [
                "Async"
            ]
            assert rid in await kc.uma.resource_sets.list_ids(pat, name=name)

            ticket = await kc.uma.permission_tickets.create(
                pat, [PermissionTicketRequest(resource_id=rid, resource_scopes=["read"])]
            )
            assert ticket.ticket

            shared = await kc.uma.tickets.create(
                pat, PermissionTicket(resource=rid, requester_name="bob", scope_name="read")
            )
            assert isinstance(shared.id, str)
            shared.granted = True
            await kc.uma.tickets.update(pat, shared)
            assert [t.id for t in await kc.uma.tickets.list(pat, resource_id=rid)] == [shared.id]
            await kc.uma.tickets.delete(pat, shared.id)

            album = user_owned_resource(unique("aalbum"))
            policy = await kc.uma.policies.create(
                alice.access_token,
                album,
                UmaPolicy(name=unique("p"), scopes=["read"], users=["bob"]),
            )
            assert isinstance(policy.id, str) and isinstance(policy.name, str)
            policy.description = "updated"
            await kc.uma.policies.update(alice.access_token, policy.id, policy)
            listed = await kc.uma.policies.list(alice.access_token, name=policy.name)
            assert [p.description for p in listed] == ["updated"]
            await kc.uma.policies.delete(alice.access_token, policy.id)
            await kc.uma.resource_sets.delete(pat, album)
        finally:
            await kc.uma.resource_sets.delete(pat, rid)
        with pytest.raises(NotFoundError):
            await kc.uma.resource_sets.delete(pat, rid)

        decision = await kc.uma.decision(
            access_token=alice.access_token,
            audience="sdk-confidential",
            permissions=["documents#read"],
        )
        assert decision.result is True
        perms = await kc.uma.permissions(
            access_token=alice.access_token, audience="sdk-confidential", permissions=["documents"]
        )
        assert [p.rsname for p in perms] == ["documents"]
        rpt = await kc.uma.token(access_token=alice.access_token, audience="sdk-confidential")
        introspected = await kc.oidc.introspect(
            rpt.access_token, token_type_hint="requesting_party_token"
        )
        assert isinstance(introspected.permissions, list) and introspected.permissions
