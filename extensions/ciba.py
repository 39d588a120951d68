"""Client-Initiated Backchannel Authentication, poll mode (OpenID CIBA core 1.0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from keycloak_sdk.extensions.errors import CibaExpiredError, DeviceFlowExpiredError

CIBA_GRANT = "urn:openid:params:grant-type:ciba"


@dataclass(frozen=True)
class CibaRequest:
    """The backchannel authentication request (CIBA core §7.1)."""

    login_hint: str
    scope: str = "openid"
    binding_message: str | None = None
    acr_values: str | None = None
    requested_expiry: int | None = None

    def core_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the core's `oidc.backchannel_authentication`."""
        return {
            "scope": self.scope,
            "login_hint": self.login_hint,
            "binding_message": self.binding_message,
            "acr_values": self.acr_values,
            "requested_expiry": self.requested_expiry,
        }


def ciba_expired() -> DeviceFlowExpiredError:
    return CibaExpiredError("the CIBA request expired before the user approved it")
