"""The Keycloak server a test talks to, as the `keycloak` fixture describes it."""

from __future__ import annotations

from dataclasses import dataclass

from harness.keycloak import ADMIN_PASSWORD, ADMIN_USER, TEST_REALM, version_tuple


@dataclass(frozen=True)
class RunningKeycloak:
    base_url: str
    version: str
    ciba_channel_uri: str
    realm: str = TEST_REALM
    admin_user: str = ADMIN_USER
    admin_password: str = ADMIN_PASSWORD

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.realm}"

    def at_least(self, *version: int) -> bool:
        """Whether the server is this version or newer (`keycloak.at_least(26, 2)`); an
        unknown version (a reused server without state) counts as the default, newest one."""
        running = version_tuple(self.version) if self.version[:1].isdigit() else (999,)
        return running >= version
