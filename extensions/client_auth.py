"""Client authentication at Keycloak's token-family endpoints (RFC 6749 §2.3, OIDC core §9).

Every method mutates the form and headers of one outgoing request. `audience` is the
issuer, which JWT assertions name as their `aud` (Keycloak accepts the issuer or the token
endpoint).
"""

from __future__ import annotations

import base64
from typing import Protocol, runtime_checkable
from urllib.parse import quote


@runtime_checkable
class ClientAuthentication(Protocol):
    """How a client proves its identity to the authorization server."""

    client_id: str

    def authenticate(self, form: dict[str, str], headers: dict[str, str], *, audience: str) -> None:
        """Add this client's credentials to one request."""
        ...


class ClientSecretBasic:
    """HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1); the default."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._secret = client_secret

    def authenticate(self, form: dict[str, str], headers: dict[str, str], *, audience: str) -> None:
        # RFC 6749 §2.3.1: both parts are form-urlencoded before base64, so ':' in an id works.
        raw = f"{quote(self.client_id, safe='')}:{quote(self._secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode("ascii")

    def __repr__(self) -> str:
        return f"ClientSecretBasic(client_id={self.client_id!r})"


class ClientSecretPost:
    """The id and secret in the request body (RFC 6749 §2.3.1, discouraged but common)."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._secret = client_secret

    def authenticate(self, form: dict[str, str], headers: dict[str, str], *, audience: str) -> None:
        form["client_id"] = self.client_id
        form["client_secret"] = self._secret

    def __repr__(self) -> str:
        return f"ClientSecretPost(client_id={self.client_id!r})"


class NoClientAuthentication:
    """A public client: it only names itself."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id

    def authenticate(self, form: dict[str, str], headers: dict[str, str], *, audience: str) -> None:
        form["client_id"] = self.client_id

    def __repr__(self) -> str:
        return f"NoClientAuthentication(client_id={self.client_id!r})"
