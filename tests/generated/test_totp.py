"""TOTP in the password grant (Keycloak's `totp` form parameter), sync and async.

A user with a known OTP secret is created through the generated admin client for each test
(Keycloak refuses a one-time code used twice) and deleted afterwards. The codes are RFC 6238
TOTP (HMAC-SHA1, 6 digits, 30 s), the realm's default OTP policy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import time
from collections.abc import Iterator

import pytest
from keycloak_sdk.extensions import AsyncClient, Client

from keycloak_sdk import AsyncKeycloakClient, InvalidGrantError, KeycloakClient
from keycloak_sdk.admin import KeycloakAdmin
from keycloak_sdk.admin.models import CredentialRepresentation, UserRepresentation
from tests.helpers.generated import CONFIDENTIAL, unique
from tests.helpers.keycloak import RunningKeycloak

PASSWORD = "otp-user-password"
OTP_SECRET = "sdk-test-otp-secret-0123"


def totp(secret: str, at: float | None = None) -> str:
    """The RFC 6238 code of `secret` for the 30-second step holding `at` (default: now)."""
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(secret.encode(), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wrong_code() -> str:
    current = totp(OTP_SECRET)
    return "000000" if current != "000000" else "111111"


@pytest.fixture
def otp_user(keycloak: RunningKeycloak) -> Iterator[str]:
    """A user with a password and an OTP credential; its username."""
    with KeycloakAdmin(
        keycloak.base_url,
        realm="sdk-test",
        login_realm="master",
        username=keycloak.admin_user,
        password=keycloak.admin_password,
    ) as admin:
        username = unique("otp-user")
        user_id = admin.users.create(
            UserRepresentation(
                username=username,
                enabled=True,
                email=f"{username}@example.test",
                email_verified=True,
                first_name="Otp",
                last_name="User",
                credentials=[
                    CredentialRepresentation(type_="password", value=PASSWORD, temporary=False),
                    CredentialRepresentation(
                        type_="otp",
                        secret_data=json.dumps({"value": OTP_SECRET}),
                        credential_data=json.dumps(
                            {
                                "subType": "totp",
                                "digits": 6,
                                "period": 30,
                                "algorithm": "HmacSHA1",
                                "counter": 0,
                            }
                        ),
                    ),
                ],
            )
        )
        assert user_id is not None
        try:
            yield username
        finally:
            admin.users.delete(user_id)


def test_password_grant_with_totp(issuer: str, otp_user: str) -> None:
    with KeycloakClient.from_issuer(
        issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        # The direct grant flow's conditional OTP step: no code or a wrong one is refused.
        with pytest.raises(InvalidGrantError):
            kc.oidc.token_password(otp_user, PASSWORD)
        with pytest.raises(InvalidGrantError):
            kc.oidc.token_password(otp_user, PASSWORD, totp=wrong_code())
        tokens = kc.oidc.token_password(otp_user, PASSWORD, totp=totp(OTP_SECRET), scope="openid")
        assert tokens.access_token and tokens.id_token


async def test_password_grant_with_totp_async(issuer: str, otp_user: str) -> None:
    async with AsyncKeycloakClient.from_issuer(
        issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        with pytest.raises(InvalidGrantError):
            await kc.oidc.token_password(otp_user, PASSWORD, totp=wrong_code())
        tokens = await kc.oidc.token_password(otp_user, PASSWORD, totp=totp(OTP_SECRET))
        assert tokens.access_token


def test_flow_client_password_grant_with_totp(issuer: str, otp_user: str) -> None:
    """The flow client's `password_grant(..., totp=...)`, its ID token validated."""
    with Client(issuer=issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]) as kc:
        with pytest.raises(InvalidGrantError):
            kc.password_grant(otp_user, PASSWORD)
        tokens = kc.password_grant(otp_user, PASSWORD, totp=totp(OTP_SECRET))
        assert tokens.id_token_claims is not None
        assert tokens.id_token_claims.preferred_username == otp_user


async def test_async_flow_client_password_grant_with_totp(issuer: str, otp_user: str) -> None:
    async with AsyncClient(
        issuer=issuer, client_id=CONFIDENTIAL[0], client_secret=CONFIDENTIAL[1]
    ) as kc:
        tokens = await kc.password_grant(otp_user, PASSWORD, totp=totp(OTP_SECRET))
        assert tokens.id_token_claims is not None
        assert tokens.id_token_claims.preferred_username == otp_user
