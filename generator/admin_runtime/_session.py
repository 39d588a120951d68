"""The admin clients' I/O: who they log in as, the token kept fresh, the realm they are bound to.

The generated `KeycloakAdmin` / `AsyncKeycloakAdmin` (keycloak_sdk/admin/client.py) add one
attribute per namespace to these bases. Tokens come from the generated OIDC client
(`keycloak_sdk.client`, its `token_client_credentials` / `token_password` / `token_refresh`
operations) on the login realm's token endpoint, and are renewed before they expire. A token
never appears in a repr, an error message or a log line.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from keycloak_sdk._errors import UnauthorizedError
from keycloak_sdk._runtime import Call, finish, prepare
from keycloak_sdk._transport import DEFAULT_TIMEOUT, AsyncTransport, SyncTransport

if TYPE_CHECKING:
    import asyncio
    from types import TracebackType

    import httpx

    from keycloak_sdk.client import AsyncKeycloakClient, KeycloakClient
    from keycloak_sdk.models import TokenResponse

T = TypeVar("T")

#: A token is renewed when less than this share of its lifetime (at most 30 s) is left.
RENEW_SHARE = 0.2
RENEW_AT_MOST = 30.0


@dataclass(frozen=True, slots=True)
class Login:
    """How an admin client obtains its tokens: a service account or an admin user.

    Secrets are kept out of the repr.
    """

    realm: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def grant(self) -> str:
        return "password" if self.username is not None else "client_credentials"


@dataclass(frozen=True, slots=True)
class _Token:
    access_token: str = field(repr=False)
    renew_at: float
    refresh_token: str | None = field(default=None, repr=False)
    refresh_until: float = 0.0


def _renew_at(now: float, lifetime: int | None) -> float:
    seconds = float(lifetime or 60)
    return now + seconds - min(RENEW_AT_MOST, seconds * RENEW_SHARE)


def _token(answer: TokenResponse, now: float) -> _Token:
    refresh_until = _renew_at(now, answer.refresh_expires_in) if answer.refresh_token else 0.0
    if answer.refresh_expires_in == 0:  # offline tokens: no expiry announced
        refresh_until = float("inf")
    return _Token(
        answer.access_token, _renew_at(now, answer.expires_in), answer.refresh_token, refresh_until
    )


class _BearerToken:
    """Applies the current admin token (a `ClientAuthentication` for `rt.prepare`)."""

    __slots__ = ("_token", "client_id")

    def __init__(self, client_id: str, token: str) -> None:
        self.client_id = client_id
        self._token = token

    def apply(self, endpoint_url: str, form: Any, headers: dict[str, str]) -> None:
        headers["Authorization"] = f"Bearer {self._token}"

    def __repr__(self) -> str:
        return f"<bearer token of {self.client_id!r}>"


def _issuer(server_url: str, realm: str) -> str:
    return f"{server_url.rstrip('/')}/realms/{realm}"


def _metadata(server_url: str, realm: str) -> dict[str, str]:
    # Keycloak's token endpoint is at a fixed path; no discovery request is needed for it.
    issuer = _issuer(server_url, realm)
    return {"issuer": issuer, "token_endpoint": f"{issuer}/protocol/openid-connect/token"}


def _login(
    realm: str,
    client_id: str,
    client_secret: str | None,
    username: str | None,
    password: str | None,
) -> Login:
    if (username is None) != (password is None):
        raise ValueError("an admin user needs both username and password")
    if username is None and not client_secret:
        raise ValueError(
            "give client_secret (a service account) or username and password (an admin user)"
        )
    return Login(realm, client_id, client_secret, username, password)


class _Shared:
    """What the views of one admin client (`admin.realm(...)`) share."""

    def __init__(self, server_url: str, login: Login) -> None:
        self.server_url = server_url.rstrip("/")
        self.login = login
        self.token: _Token | None = None


class _AdminBase:
    """State common to the sync and async admin clients."""

    _shared: _Shared
    #: The realm the operations address; `admin.realm("other")` gives a view on another one.
    realm_name: str

    @property
    def server_url(self) -> str:
        return self._shared.server_url

    @property
    def issuer(self) -> str:
        # The runtime takes the server root from it: `<server>/realms/<login realm>`.
        return _issuer(self._shared.server_url, self._shared.login.realm)

    @property
    def client_id(self) -> str:
        return self._shared.login.client_id

    @property
    def login(self) -> Login:
        """The client, realm and (for the password grant) user this client logs in as."""
        return self._shared.login

    def _auth_for(self) -> _BearerToken:
        token = self._shared.token
        if token is None:  # pragma: no cover - _send always logs in first
            raise UnauthorizedError(401, "not_logged_in")
        return _BearerToken(self.client_id, token.access_token)

    def _view(self, realm: str) -> Self:
        if not realm:
            raise ValueError("a realm name is required")
        view = object.__new__(type(self))
        view.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k.startswith("_") and k != "__dict__"}
        )
        view.realm_name = realm
        return view

    def realm(self, name: str) -> Self:
        """This client bound to realm `name`; it shares the connection pool and the token."""
        return self._view(name)

    def _url(self, call: Call[str]) -> str:  # pragma: no cover - the admin API has no URL ops
        raise NotImplementedError

    def __repr__(self) -> str:
        login = self._shared.login
        who = (
            f"user {login.username!r}" if login.username else f"service account {login.client_id!r}"
        )
        return (
            f"{type(self).__name__}(server_url={self.server_url!r}, realm={self.realm_name!r}, "
            f"login={who} at realm {login.realm!r})"
        )


def _needs_token(token: _Token | None, now: float) -> bool:
    return token is None or now >= token.renew_at


class SyncAdminBase(_AdminBase):
    """A synchronous admin client; `KeycloakAdmin` adds the namespaces (`users`, ...)."""

    def __init__(
        self,
        server_url: str,
        *,
        realm: str = "master",
        client_id: str = "admin-cli",
        client_secret: str | None = None,
        username: str | None = None,
        password: str | None = None,
        login_realm: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
    ) -> None:
        """Log in to `login_realm` (default: `realm`) and administer `realm`.

        Give `client_secret` for a service account (client credentials grant), or
        `username` and `password` for an admin user (password grant; `admin-cli` of the
        `master` realm by default). Nothing is sent before the first operation.
        """
        login = _login(login_realm or realm, client_id, client_secret, username, password)
        self._shared = _Shared(server_url, login)
        self.realm_name = realm
        self._transport = SyncTransport(http_client, timeout)
        self._lock = threading.Lock()
        self._oidc: list[KeycloakClient] = []

    def _token_client(self) -> KeycloakClient:
        if not self._oidc:
            from keycloak_sdk.client import KeycloakClient

            login = self._shared.login
            self._oidc.append(
                KeycloakClient(
                    _metadata(self._shared.server_url, login.realm),
                    client_id=login.client_id,
                    client_secret=login.client_secret,
                    http_client=self._transport.http,
                )
            )
        return self._oidc[0]

    def _renew(self, stale: _Token | None) -> None:
        from keycloak_sdk._errors import OAuthError

        with self._lock:
            shared = self._shared
            now = time.monotonic()
            if shared.token is not stale and not _needs_token(shared.token, now):
                return  # another thread renewed it meanwhile
            oidc = self._token_client().oidc
            login = shared.login
            if stale is not None and stale.refresh_token and now < stale.refresh_until:
                try:
                    shared.token = _token(oidc.token_refresh(stale.refresh_token), now)
                    return
                except OAuthError:
                    pass  # the session ended: log in again
            if login.username is not None and login.password is not None:
                answer = oidc.token_password(login.username, login.password)
            else:
                answer = oidc.token_client_credentials()
            shared.token = _token(answer, now)

    def _send(self, call: Call[T]) -> T:
        token = self._shared.token
        if _needs_token(token, time.monotonic()):
            self._renew(token)
        try:
            return self._request(call)
        except UnauthorizedError:
            # Revoked or ended early (a logout, a restart): one new login, then one retry.
            self._renew(self._shared.token)
            return self._request(call)

    def _request(self, call: Call[T]) -> T:
        return finish(call, self._transport.send(prepare(call, {}, self)))

    def close(self) -> None:
        """Close the HTTP client if this client created it (views share it)."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAdminBase(_AdminBase):
    """An asynchronous admin client; `AsyncKeycloakAdmin` adds the namespaces."""

    def __init__(
        self,
        server_url: str,
        *,
        realm: str = "master",
        client_id: str = "admin-cli",
        client_secret: str | None = None,
        username: str | None = None,
        password: str | None = None,
        login_realm: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        """Log in to `login_realm` (default: `realm`) and administer `realm`.

        Give `client_secret` for a service account (client credentials grant), or
        `username` and `password` for an admin user (password grant). Nothing is sent
        before the first operation.
        """
        login = _login(login_realm or realm, client_id, client_secret, username, password)
        self._shared = _Shared(server_url, login)
        self.realm_name = realm
        self._transport = AsyncTransport(http_client, timeout)
        self._locks: list[asyncio.Lock] = []
        self._oidc: list[AsyncKeycloakClient] = []

    def _token_client(self) -> AsyncKeycloakClient:
        if not self._oidc:
            from keycloak_sdk.client import AsyncKeycloakClient

            login = self._shared.login
            self._oidc.append(
                AsyncKeycloakClient(
                    _metadata(self._shared.server_url, login.realm),
                    client_id=login.client_id,
                    client_secret=login.client_secret,
                    http_client=self._transport.http,
                )
            )
        return self._oidc[0]

    def _lock(self) -> asyncio.Lock:
        if not self._locks:
            import asyncio

            self._locks.append(asyncio.Lock())
        return self._locks[0]

    async def _renew(self, stale: _Token | None) -> None:
        from keycloak_sdk._errors import OAuthError

        async with self._lock():
            shared = self._shared
            now = time.monotonic()
            if shared.token is not stale and not _needs_token(shared.token, now):
                return
            oidc = self._token_client().oidc
            login = shared.login
            if stale is not None and stale.refresh_token and now < stale.refresh_until:
                try:
                    shared.token = _token(await oidc.token_refresh(stale.refresh_token), now)
                    return
                except OAuthError:
                    pass
            if login.username is not None and login.password is not None:
                answer = await oidc.token_password(login.username, login.password)
            else:
                answer = await oidc.token_client_credentials()
            shared.token = _token(answer, now)

    async def _send(self, call: Call[T]) -> T:
        token = self._shared.token
        if _needs_token(token, time.monotonic()):
            await self._renew(token)
        try:
            return await self._request(call)
        except UnauthorizedError:
            await self._renew(self._shared.token)
            return await self._request(call)

    async def _request(self, call: Call[T]) -> T:
        return finish(call, await self._transport.send(prepare(call, {}, self)))

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it (views share it)."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


__all__ = ["AsyncAdminBase", "Login", "SyncAdminBase"]
