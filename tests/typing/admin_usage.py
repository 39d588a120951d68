"""Type-level usage of the generated admin client; checked by `mypy --strict`, never executed.

If a generated admin signature or return type changes incompatibly, `make lint` fails here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from keycloak_sdk.admin import AsyncKeycloakAdmin, ConflictError, KeycloakAdmin
from keycloak_sdk.admin.models import (
    ClientRepresentation,
    CredentialRepresentation,
    KeyStoreConfig,
    RoleRepresentation,
    UserRepresentation,
)


def sync_usage(admin: KeycloakAdmin) -> None:
    acme: KeycloakAdmin = admin.realm("acme")
    user_id: str | None = acme.users.create(UserRepresentation(username="ann"))
    user: UserRepresentation = acme.users.get(user_id or "")
    users: list[UserRepresentation] = acme.users.list(search="a", first=0, max=10)
    every: Iterator[UserRepresentation] = acme.users.iter_list(search="a")
    count: int = acme.users.count()
    acme.users.reset_password(user.id or "", CredentialRepresentation(value="x"))
    roles: list[RoleRepresentation] = acme.users.role_mappings.realm.list(user.id or "")
    acme.users.role_mappings.clients.add(user.id or "", "client-uuid", roles)
    secret: CredentialRepresentation = acme.clients.client_secret.regenerate("client-uuid")
    clients: list[ClientRepresentation] = acme.clients.list(client_id="ops")
    acme.users.credentials.set_label(user.id or "", "credential-id", "laptop")
    text: str = acme.localization.get_text("de", "hello")
    pem: bytes = acme.clients.certificates.download("client-uuid", "jwt.credential", _store())
    try:
        acme.users.create(UserRepresentation(username="ann"))
    except ConflictError as exc:
        message: str | None = exc.error_description
        status: int = exc.status_code
        del message, status
    del users, every, count, secret, clients, text, pem


async def async_usage(admin: AsyncKeycloakAdmin) -> None:
    acme: AsyncKeycloakAdmin = admin.realm("acme")
    user: UserRepresentation = await acme.users.get("user-id")
    every: AsyncIterator[UserRepresentation] = acme.users.iter_list(max=50)
    names = [u.username async for u in every]
    count: int = await acme.users.count()
    await acme.aclose()
    del user, names, count


def _store() -> KeyStoreConfig:
    return KeyStoreConfig(format_="PKCS12", key_alias="k")
