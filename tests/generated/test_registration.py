"""Dynamic client registration (RFC 7591/7592) through the generated client, sync and async.

Initial access tokens come from the generated admin client (tests/helpers/registration.py);
every registered client is deleted again (through the registration access token, or by the
admin client if a test fails half-way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from keycloak_sdk import (
    AsyncKeycloakClient,
    InsufficientScopeError,
    InvalidTokenError,
    KeycloakClient,
    OAuthError,
)
from keycloak_sdk.models import ClientInformation, ClientMetadata
from tests.helpers.generated import REDIRECT_URI, unique
from tests.helpers.keycloak import RunningKeycloak
from tests.helpers.registration import initial_access_tokens


@pytest.fixture
def initial_access_token(keycloak: RunningKeycloak) -> Iterator[Callable[[], str]]:
    with initial_access_tokens(keycloak) as make:
        yield make


def _metadata(name: str) -> ClientMetadata:
    return ClientMetadata(
        client_name=name,
        redirect_uris=[REDIRECT_URI],
        grant_types=["authorization_code", "refresh_token"],
        token_endpoint_auth_method="client_secret_basic",
    )


def test_register_read_update_delete(issuer: str, initial_access_token: Callable[[], str]) -> None:
    with KeycloakClient.from_issuer(issuer, client_id="unused") as kc:
        assert (
            kc.provider_metadata().registration_endpoint
            == f"{issuer}/clients-registrations/openid-connect"
        )
        name = unique("reg-sync")
        registered = kc.registration.register(
            _metadata(name), initial_access_token=initial_access_token()
        )
        assert isinstance(registered, ClientInformation)
        assert registered.client_name == name
        assert registered.redirect_uris == [REDIRECT_URI]
        assert registered.client_secret and registered.registration_access_token
        assert registered.registration_client_uri == (
            f"{issuer}/clients-registrations/openid-connect/{registered.client_id}"
        )
        assert registered.client_secret not in repr(registered)
        assert registered.registration_access_token not in repr(registered)
        token = registered.registration_access_token

        read = kc.registration.get(token, registered.client_id)
        assert read.client_id == registered.client_id and read.client_name == name
        token = read.registration_access_token or token

        changed = ClientMetadata.from_dict(
            {
                **read.to_dict(),
                "client_name": f"{name}-renamed",
                "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
            }
        )
        for server_only in ("registration_access_token", "registration_client_uri"):
            changed.additional_properties.pop(server_only, None)
        updated = kc.registration.update(token, registered.client_id, changed)
        assert updated.client_name == f"{name}-renamed"
        assert updated.registration_access_token and updated.registration_access_token != token
        # RFC 7592: the token just used for the update no longer works.
        with pytest.raises(InvalidTokenError) as used:
            kc.registration.get(token, registered.client_id)
        assert used.value.status_code == 401

        # The update took effect on the server: read back with the new token. (Whether adding
        # client_credentials also creates a service account differs between versions: 26.4.7
        # answers a client-credentials grant with "service account does not exist".)
        reread = kc.registration.get(updated.registration_access_token, registered.client_id)
        assert reread.client_name == f"{name}-renamed"
        assert "client_credentials" in (reread.grant_types or [])
        latest = reread.registration_access_token or updated.registration_access_token

        kc.registration.delete(latest, registered.client_id)
        with pytest.raises(OAuthError) as gone:
            kc.registration.get(latest, registered.client_id)
        assert gone.value.status_code in (401, 404)


def test_initial_access_token_is_required(issuer: str) -> None:
    """Anonymous registration from an untrusted host and a forged token are typed refusals."""
    with KeycloakClient.from_issuer(issuer, client_id="unused") as kc:
        # The realm's anonymous policies trust no host: Keycloak's "Trusted Hosts" refuses.
        with pytest.raises(InsufficientScopeError) as anonymous:
            kc.registration.register(_metadata(unique("reg-anon")))
        assert anonymous.value.status_code == 403
        assert "Trusted Hosts" in (anonymous.value.error_description or "")
        with pytest.raises(InvalidTokenError) as forged:
            kc.registration.register(_metadata(unique("reg-forged")), initial_access_token="x.y.z")
        assert forged.value.status_code == 401


async def test_register_read_update_delete_async(
    issuer: str, initial_access_token: Callable[[], str]
) -> None:
    async with AsyncKeycloakClient.from_issuer(issuer, client_id="unused") as kc:
        name = unique("reg-async")
        registered = await kc.registration.register(
            _metadata(name), initial_access_token=initial_access_token()
        )
        assert registered.registration_access_token is not None
        read = await kc.registration.get(registered.registration_access_token, registered.client_id)
        assert read.client_name == name
        token = read.registration_access_token or registered.registration_access_token
        body = {**read.to_dict(), "client_name": f"{name}-renamed"}
        body.pop("registration_access_token", None)
        body.pop("registration_client_uri", None)
        updated = await kc.registration.update(
            token, registered.client_id, ClientMetadata.from_dict(body)
        )
        assert updated.client_name == f"{name}-renamed"
        assert updated.registration_access_token is not None
        await kc.registration.delete(updated.registration_access_token, registered.client_id)
