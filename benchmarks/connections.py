"""Connections and overhead of 100 token calls to a real Keycloak.

* connections: TCP connections the process opens for 100 client-credentials calls through the
  SDK's `Client` with its default HTTP client (counted at `socket.create_connection`, which
  httpx's transport uses for every new connection). Target: one (the pool is reused).
* overhead: the same 100 calls through the SDK against raw httpx posting the same form on one
  pooled `httpx.Client` (wall time, best of 3; Keycloak's own time dominates both).
* python-keycloak `decode_token` with its defaults fetches the realm's certs on every call:
  measured here against the same Keycloak, next to the SDK's cached `validate_access_token`.
"""

from __future__ import annotations

import importlib.util
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from keycloak_sdk.extensions import Client

from benchmarks.keycloak_server import keycloak_url
from benchmarks.report import Row

SECTION = "Token calls to a real Keycloak (100 client-credentials grants)"
CALLS = 100
CLIENT_ID = "sdk-confidential"
CLIENT_SECRET = "sdk-confidential-secret"


@contextmanager
def counting_connections(port: int) -> Iterator[list[int]]:
    opened: list[int] = []
    original = socket.create_connection

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if address[1] == port:
            opened.append(1)
        return original(address, *args, **kwargs)

    socket.create_connection = create_connection
    try:
        yield opened
    finally:
        socket.create_connection = original


def _best_seconds(batch: Callable[[], object], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        batch()
        best = min(best, time.perf_counter() - began)
    return best


def run() -> list[Row]:
    base = keycloak_url()
    port = int(httpx.URL(base).port or 80)
    issuer = f"{base}/realms/sdk-test"
    rows: list[Row] = []
    with (
        counting_connections(port) as opened,
        Client(
            server_url=base, realm="sdk-test", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        ) as client,
    ):
        for _ in range(CALLS):
            client.client_credentials()
        connections = len(opened)
    rows.append(
        Row(
            SECTION,
            "TCP connections opened by the SDK",
            connections,
            "connections",
            "one",
            float(connections),
            "<=1",
            "discovery + 100 token calls on the SDK's default HTTP client",
        )
    )

    with Client(
        server_url=base, realm="sdk-test", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as client:
        client.client_credentials()
        sdk = _best_seconds(lambda: [client.client_credentials() for _ in range(CALLS)])
        token = client.client_credentials().access_token
        client.validate_access_token(token)
        ours_validate = _best_seconds(
            lambda: [client.validate_access_token(token) for _ in range(CALLS)]
        )
    token_url = f"{issuer}/protocol/openid-connect/token"
    with httpx.Client(timeout=10, auth=(CLIENT_ID, CLIENT_SECRET)) as raw:
        form = {"grant_type": "client_credentials"}
        raw.post(token_url, data=form).raise_for_status()
        plain = _best_seconds(
            lambda: ([raw.post(token_url, data=form).raise_for_status() for _ in range(CALLS)])
        )
    rows.append(Row(SECTION, "raw httpx, 100 token POSTs", plain * 1000, "ms"))
    rows.append(
        Row(
            SECTION,
            "SDK Client.client_credentials x100",
            sdk * 1000,
            "ms",
            "raw httpx",
            sdk / plain,
            note="ratio = SDK time / raw httpx time (1.0 = no overhead); parsing into TokenSet",
        )
    )
    if importlib.util.find_spec("keycloak") is not None:
        from keycloak import KeycloakOpenID

        openid = KeycloakOpenID(
            server_url=f"{base}/",
            realm_name="sdk-test",
            client_id=CLIENT_ID,
            client_secret_key=CLIENT_SECRET,
        )
        openid.decode_token(token)
        peer = _best_seconds(lambda: [openid.decode_token(token) for _ in range(CALLS)])
        rows.append(
            Row(
                SECTION,
                "SDK Client.validate_access_token x100",
                ours_validate * 1000,
                "ms",
                note="JWKS cached after the first call",
            )
        )
        rows.append(
            Row(
                SECTION,
                "python-keycloak decode_token x100 (defaults)",
                peer * 1000,
                "ms",
                "SDK validate_access_token",
                peer / ours_validate,
                note="ratio = python-keycloak time / SDK time; it GETs the certs on every call",
            )
        )
    return rows
