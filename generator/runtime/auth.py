"""Client authentication at the token-style endpoints (token, introspection, revocation, ...).

A `ClientAuthentication` adds credentials to a request before it is sent, the way an httpx
`Auth` does; `keycloak_sdk.extensions` adds `client_secret_jwt` and `private_key_jwt` by
implementing the same protocol.
"""

from __future__ import annotations

import base64
from typing import Protocol, runtime_checkable
from urllib.parse import quote

__all__ = [
    "ClientAuthentication",
    "ClientSecretBasic",
    "ClientSecretPost",
    "FormData",
    "NoClientAuthentication",
]

#: A form body: repeated fields (e.g. UMA's `permission`) are lists.
FormData = dict[str, str | list[str]]


@runtime_checkable
class ClientAuthentication(Protocol):
    """Applies a client's credentials to a token-endpoint-style request."""

    @property
    def client_id(self) -> str: ...

    def apply(self, endpoint_url: str, form: FormData, headers: dict[str, str]) -> None:
        """Add credentials to `form` and/or `headers` of a request to `endpoint_url`."""
        ...


def _form_encode(value: str) -> str:
    # RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before base64.
    return quote(value, safe="").replace("%20", "+")


class ClientSecretBasic:
    """`client_secret_basic`: HTTP Basic with the form-encoded id and secret."""

    __slots__ = ("_client_id", "_secret")

    def __init__(self, client_id: str, client_secret: str) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_secret_basic needs a client id and a secret")
        self._client_id = client_id
        self._secret = client_secret

    @property
    def client_id(self) -> str:
        return self._client_id

    def apply(self, endpoint_url: str, form: FormData, headers: dict[str, str]) -> None:
        pair = f"{_form_encode(self._client_id)}:{_form_encode(self._secret)}"
        token = base64.b64encode(pair.encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"

    def __repr__(self) -> str:
        return f"ClientSecretBasic(client_id={self._client_id!r}, client_secret=***)"


class ClientSecretPost:
    """`client_secret_post`: id and secret as form fields."""

    __slots__ = ("_client_id", "_secret")

    def __init__(self, client_id: str, client_secret: str) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_secret_post needs a client id and a secret")
        self._client_id = client_id
        self._secret = client_secret

    @property
    def client_id(self) -> str:
        return self._client_id

    def apply(self, endpoint_url: str, form: FormData, headers: dict[str, str]) -> None:
        form["client_id"] = self._client_id
        form["client_secret"] = self._secret

    def __repr__(self) -> str:
        return f"ClientSecretPost(client_id={self._client_id!r}, client_secret=***)"


class NoClientAuthentication:
    """A public client: identifies itself with `client_id` only."""

    __slots__ = ("_client_id",)

    def __init__(self, client_id: str) -> None:
        if not client_id:
            raise ValueError("a client id is required")
        self._client_id = client_id

    @property
    def client_id(self) -> str:
        return self._client_id

    def apply(self, endpoint_url: str, form: FormData, headers: dict[str, str]) -> None:
        form["client_id"] = self._client_id

    def __repr__(self) -> str:
        return f"NoClientAuthentication(client_id={self._client_id!r})"
