"""The flow clients' registration conveniences (`register_client` / `update_client`), each test
run with `Client` and `AsyncClient`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from keycloak_sdk.extensions.client import AsyncClient

from keycloak_sdk import InsufficientScopeError, InvalidTokenError
from keycloak_sdk.models import ClientInformation
from tests.helpers.flow_clients import REDIRECT_URI, MakeClient, maybe
from tests.helpers.generated import unique
from tests.helpers.keycloak import RunningKeycloak
from tests.helpers.registration import REGISTERED_PREFIX, initial_access_tokens

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def initial_access_token(keycloak: RunningKeycloak) -> Iterator[Callable[[], str]]:
    with initial_access_tokens(keycloak) as make:
        yield make


async def test_register_update_and_delete(
    make_client: MakeClient, initial_access_token: Callable[[], str]
) -> None:
    kc = make_client()
    name = unique(f"{REGISTERED_PREFIX}flow")
    # A plain mapping is accepted, as python-keycloak's payload is.
    registered = await maybe(
        kc.register_client(
            {"client_name": name, "redirect_uris": [REDIRECT_URI]},
            initial_access_token=initial_access_token(),
        )
    )
    assert isinstance(registered, ClientInformation)
    assert registered.client_name == name and registered.registration_access_token

    # The answer itself, changed, is a valid update: the server-issued fields RFC 7592 forbids
    # in an update are left out.
    registered.client_name = f"{name}-renamed"
    updated = await maybe(
        kc.update_client(registered.registration_access_token, registered.client_id, registered)
    )
    assert updated.client_id == registered.client_id
    assert updated.client_name == f"{name}-renamed"
    assert updated.registration_access_token

    # A mapping without `client_id` gets it filled in (Keycloak refuses an update without it).
    again = await maybe(
        kc.update_client(
            updated.registration_access_token,
            updated.client_id,
            {"client_name": f"{name}-again", "redirect_uris": [REDIRECT_URI]},
        )
    )
    assert again.client_name == f"{name}-again"
    assert again.registration_access_token

    # Reading and deleting are the generated operations, on the client's core.
    token, client_id = again.registration_access_token, again.client_id
    if isinstance(kc, AsyncClient):
        core = await kc.core()
        await core.registration.delete(token, client_id)
        with pytest.raises(InvalidTokenError):
            await core.registration.get(token, client_id)
    else:
        kc.core().registration.delete(token, client_id)
        with pytest.raises(InvalidTokenError):
            kc.core().registration.get(token, client_id)


async def test_anonymous_registration_is_refused_by_default(make_client: MakeClient) -> None:
    kc = make_client()
    with pytest.raises(InsufficientScopeError) as refused:
        await maybe(kc.register_client({"client_name": unique(f"{REGISTERED_PREFIX}anon")}))
    assert refused.value.status_code == 403
