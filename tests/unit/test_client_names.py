"""The core clients and the flow clients call the same things by the same names.

`provider_metadata()` (a method on all four, awaited on the async ones), `issuer`,
`client_id`, `from_issuer(...)` (discovery while opening; `async with` or `await`),
`close()` / `aclose()` and the context managers; the old spellings (`KeycloakClient.metadata`,
an attribute, and `Client.metadata()`, a method) still work with a DeprecationWarning
(docs/migration.md).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import httpx
import pytest
from keycloak_sdk.extensions import AsyncClient, Client

from generator import pipeline
from keycloak_sdk import KeycloakError
from keycloak_sdk.client import AsyncKeycloakClient, KeycloakClient
from keycloak_sdk.documents import ProviderMetadata

SNAPSHOT = pipeline.SPEC_DIR / "keycloak" / pipeline.DEFAULT_KEYCLOAK_VERSION
DISCOVERY: dict[str, Any] = json.loads((SNAPSHOT / "openid-configuration.json").read_text("utf-8"))
ISSUER = "http://127.0.0.1:1/realms/demo"


def _discovery() -> dict[str, Any]:
    # The snapshot with its URLs moved to an issuer no request ever reaches.
    text = json.dumps(DISCOVERY).replace(DISCOVERY["issuer"], ISSUER)
    document: dict[str, Any] = json.loads(text)
    return document


def _answer(request: httpx.Request) -> httpx.Response:
    assert request.url.path.endswith("/.well-known/openid-configuration"), request.url
    return httpx.Response(200, json=_discovery())


SHARED = ("provider_metadata", "issuer", "client_id", "from_issuer")


def _kind(cls: type, name: str) -> str:
    """'coroutine', 'method' or 'attribute' (a property or one set in `__init__`)."""
    found = inspect.getattr_static(cls, name, None)
    if found is None or isinstance(found, property):
        return "attribute"
    return "coroutine" if inspect.iscoroutinefunction(found) else "method"


@pytest.mark.parametrize(
    ("core", "flow"), [(KeycloakClient, Client), (AsyncKeycloakClient, AsyncClient)]
)
def test_shared_names_have_the_same_kind(core: type, flow: type) -> None:
    for name in SHARED:
        assert _kind(core, name) == _kind(flow, name), name
    closer = "aclose" if core is AsyncKeycloakClient else "close"
    assert callable(getattr(core, closer)) and callable(getattr(flow, closer))
    assert inspect.iscoroutinefunction(inspect.getattr_static(core, "provider_metadata")) == (
        core is AsyncKeycloakClient
    )


def test_sync_clients_answer_the_same() -> None:
    metadata = ProviderMetadata.from_dict(_discovery())
    with (
        KeycloakClient(metadata, client_id="app") as core,
        httpx.Client(transport=httpx.MockTransport(_answer)) as http,
        Client(issuer=ISSUER, client_id="app", http_client=http) as flow,
    ):
        assert core.provider_metadata() is metadata
        assert flow.provider_metadata().issuer == core.provider_metadata().issuer == ISSUER
        assert core.issuer == flow.issuer == ISSUER
        assert core.client_id == flow.client_id == "app"
        with pytest.warns(DeprecationWarning, match="provider_metadata"):
            assert core.metadata is metadata
        with pytest.warns(DeprecationWarning, match="provider_metadata"):
            assert flow.metadata().issuer == ISSUER


def test_async_clients_answer_the_same() -> None:
    async def run() -> None:
        metadata = ProviderMetadata.from_dict(_discovery())
        async with (
            AsyncKeycloakClient(metadata, client_id="app") as core,
            httpx.AsyncClient(transport=httpx.MockTransport(_answer)) as http,
            AsyncClient(issuer=ISSUER, client_id="app", http_client=http) as flow,
        ):
            assert await core.provider_metadata() is metadata
            assert (await flow.provider_metadata()).issuer == ISSUER
            assert core.issuer == flow.issuer == ISSUER
            assert core.client_id == flow.client_id == "app"
            with pytest.warns(DeprecationWarning, match="provider_metadata"):
                assert core.metadata is metadata
            with pytest.warns(DeprecationWarning, match="provider_metadata"):
                assert (await flow.metadata()).issuer == ISSUER

    asyncio.run(run())


def test_flow_clients_open_from_the_issuer_as_the_core_does() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return _answer(request)

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Client.from_issuer(ISSUER, client_id="app", http_client=http) as flow,
    ):
        # Discovery happened while opening, as in KeycloakClient.from_issuer.
        assert seen == ["/realms/demo/.well-known/openid-configuration"]
        assert flow.issuer == ISSUER
        assert flow.client_id == "app"

    async def run() -> None:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
            AsyncClient.from_issuer(ISSUER, client_id="app", http_client=http) as flow,
        ):
            assert (await flow.provider_metadata()).issuer == ISSUER
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            opened = await AsyncClient.from_issuer(ISSUER, client_id="app", http_client=http)
            assert opened.issuer == ISSUER
            await opened.aclose()

    asyncio.run(run())
    assert len(seen) == 3


def test_from_issuer_refuses_an_unreachable_or_wrong_issuer() -> None:
    def wrong(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={**_discovery(), "issuer": "http://127.0.0.1:1/other"})

    with (
        httpx.Client(transport=httpx.MockTransport(wrong)) as http,
        pytest.raises(KeycloakError),
    ):
        Client.from_issuer(ISSUER, client_id="app", http_client=http)
