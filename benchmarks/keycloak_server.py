"""One Keycloak for every benchmark that needs it: $KEYCLOAK_URL, or a harness server started
on first use and stopped when the bench run exits."""

from __future__ import annotations

import atexit
import os
from typing import Any

_state: dict[str, Any] = {}


def keycloak_url() -> str:
    url = os.environ.get("KEYCLOAK_URL")
    if url:
        return url.rstrip("/")
    if "url" not in _state:
        from harness import KeycloakServer

        print("KEYCLOAK_URL is not set: starting Keycloak for the benchmarks (about 40 s)...")
        server = KeycloakServer()
        server.start()
        atexit.register(server.stop)
        _state["server"] = server
        _state["url"] = server.base_url
    return str(_state["url"])
