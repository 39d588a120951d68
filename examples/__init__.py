"""Runnable example applications for the framework integrations.

Each `examples/<framework>_app` has `create_app(settings, public_url=...)` (used by the
integration tests too) and a `__main__` that serves it on 127.0.0.1: against the Keycloak
at $KEYCLOAK_URL, or else against a real Keycloak started by the test harness.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.enforcer import EnforcementMode, PathConfig

EXAMPLE_CLIENT_ID = "sdk-confidential"
EXAMPLE_CLIENT_SECRET = "sdk-confidential-secret"  # noqa: S105 (the test realm's own)
EXAMPLE_REALM = "sdk-test"

PUBLIC_PATHS = ("/", "/public", "/favicon.ico")
API_PATHS = ("/api/*", "/documents/*")
# UMA: the test realm's `documents` resource; writing needs the `write` scope (admin role).
DOCUMENT_PERMISSIONS = (
    PathConfig(
        "/documents/*",
        "documents",
        methods={"GET": ("read",), "POST": ("write",), "DELETE": ("delete",)},
    ),
)
# PERMISSIVE: paths without a configured resource (the /api/* routes) are not UMA-checked.
ENFORCEMENT_MODE = EnforcementMode.PERMISSIVE

HOME_PAGE = """<!doctype html><title>{title}</title>
<h1>{title}</h1>
<p><a href="/profile">My profile</a> (needs login)</p>
<form method="post" action="/kc/logout">{csrf}<button type="submit">Log out</button></form>
"""


def example_settings(base_url: str) -> ClientSettings:
    return ClientSettings(
        server_url=base_url.rstrip("/"),
        realm=EXAMPLE_REALM,
        client_id=EXAMPLE_CLIENT_ID,
        client_secret=EXAMPLE_CLIENT_SECRET,
        scopes=("profile", "email"),
    )


@contextmanager
def keycloak_base_url() -> Iterator[str]:
    """$KEYCLOAK_URL, or a real Keycloak from the test harness for as long as the block runs."""
    url = os.environ.get("KEYCLOAK_URL")
    if url:
        yield url.rstrip("/")
        return
    from harness import KeycloakServer

    print("KEYCLOAK_URL is not set: starting Keycloak with the test realm (about 40 s)...")
    with KeycloakServer() as server:
        yield server.base_url


def example_port(default: int) -> int:
    return int(os.environ.get("PORT", default))
