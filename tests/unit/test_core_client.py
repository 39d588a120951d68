"""The generated core's ergonomics without a server: opening and closing, reprs, versions."""

from __future__ import annotations

import re

import httpx
import pytest

import keycloak_sdk
from keycloak_sdk import AsyncKeycloakClient, KeycloakClient
from keycloak_sdk.models import Resource, TokenResponse

ISSUER = "http://127.0.0.1:9/realms/demo"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth",
    "token_endpoint": f"{ISSUER}/token",
    "jwks_uri": f"{ISSUER}/certs",
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256"],
}


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/openid-configuration"):
        return httpx.Response(200, json=DISCOVERY)
    return httpx.Response(200, json={"access_token": "secret-token", "token_type": "Bearer"})


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    assert keycloak_sdk.__version__ == version("keycloak-sdk")
    assert "__version__" in keycloak_sdk.__all__


async def test_async_client_opens_in_async_with_without_await_and_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[AsyncKeycloakClient] = []
    real_aclose = AsyncKeycloakClient.aclose

    async def tracking_aclose(self: AsyncKeycloakClient) -> None:
        closed.append(self)
        await real_aclose(self)

    monkeypatch.setattr(AsyncKeycloakClient, "aclose", tracking_aclose)
    http = httpx.AsyncClient(transport=httpx.MockTransport(_answer))
    async with AsyncKeycloakClient.from_issuer(ISSUER, client_id="app", http_client=http) as kc:
        assert isinstance(kc, AsyncKeycloakClient)
        tokens = await kc.oidc.token_client_credentials()
        assert tokens.access_token == "secret-token"
    assert closed == [kc]
    # `await` still works, and the client then closes with aclose().
    client = await AsyncKeycloakClient.from_issuer(ISSUER, client_id="app", http_client=http)
    await client.aclose()
    assert closed == [kc, client]
    assert not http.is_closed  # a caller's http_client is the caller's to close
    await http.aclose()


def test_sync_and_async_clients_share_names_and_signatures() -> None:
    import inspect

    http = httpx.Client(transport=httpx.MockTransport(_answer))
    with KeycloakClient.from_issuer(ISSUER, client_id="app", http_client=http) as kc:
        for group in ("oidc", "uma", "uma.resource_sets", "uma.tickets", "uma.policies"):
            sync_group = kc
            async_cls = AsyncKeycloakClient
            for part in group.split("."):
                sync_group = getattr(sync_group, part)
            names = {n for n in dir(type(sync_group)) if not n.startswith("_")}
            async_names = {n for n in dir(_async_class(async_cls, group)) if not n.startswith("_")}
            assert names == async_names, group
            for name in names - {"resource_sets", "tickets", "policies", "permission_tickets"}:
                assert "self" not in inspect.signature(getattr(sync_group, name)).parameters


def _async_class(cls: type[AsyncKeycloakClient], group: str) -> type:
    from keycloak_sdk.resources import oidc, uma, uma_policies, uma_resource_sets, uma_tickets

    return {
        "oidc": oidc.AsyncOidc,
        "uma": uma.AsyncUma,
        "uma.resource_sets": uma_resource_sets.AsyncResourceSets,
        "uma.tickets": uma_tickets.AsyncTickets,
        "uma.policies": uma_policies.AsyncPolicies,
    }[group]


def test_response_reprs_show_set_fields_hide_tokens_and_no_addresses() -> None:
    tokens = TokenResponse.from_dict(
        {"access_token": "secret-token", "token_type": "Bearer", "expires_in": 60, "x": 1}
    )
    text = repr(tokens)
    assert (
        text
        == "TokenResponse(access_token=***, token_type='Bearer', expires_in=60, additional keys: x)"
    )
    assert not re.search(r"0x[0-9a-f]+", text)
    # Optional fields read as plain values or None: no sentinel to isinstance-check.
    assert tokens.refresh_token is None and tokens.scope is None
    resource = Resource.from_dict({"_id": "r1", "name": "album"})
    assert resource.id == "r1"
    assert repr(resource) == "Resource(id='r1', name='album')"
    assert resource.to_dict() == {"_id": "r1", "name": "album"}


def test_discovery_is_typed_completely() -> None:
    import json
    from pathlib import Path

    from keycloak_sdk.models import ProviderMetadata

    snapshot = (
        Path(__file__).resolve().parents[2] / "spec/keycloak/26.7.3/openid-configuration.json"
    )
    served = json.loads(snapshot.read_text())
    fields = {f.alias or name for name, f in ProviderMetadata.model_fields.items()}
    assert sorted(set(served) - fields) == []
    metadata = ProviderMetadata.from_dict(served)
    assert metadata.mtls_endpoint_aliases is not None
    assert (
        metadata.mtls_endpoint_aliases.token_endpoint
        == served["mtls_endpoint_aliases"]["token_endpoint"]
    )
    assert not any(name.startswith("field_") for name in ProviderMetadata.model_fields)


@pytest.mark.parametrize("name", ["UNSET", "Unset", "JwksResponse"])
def test_removed_names_are_gone(name: str) -> None:
    from keycloak_sdk import models

    assert not hasattr(models, name)
