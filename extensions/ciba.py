"""Client-Initiated Backchannel Authentication, poll mode (OpenID CIBA core 1.0)."""

from __future__ import annotations

from dataclasses import dataclass

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

    def form(self) -> dict[str, str]:
        form = {"scope": self.scope, "login_hint": self.login_hint}
        if self.binding_message is not None:
            form["binding_message"] = self.binding_message
        if self.acr_values is not None:
            form["acr_values"] = self.acr_values
        if self.requested_expiry is not None:
            form["requested_expiry"] = str(self.requested_expiry)
        return form


def ciba_expired() -> DeviceFlowExpiredError:
    return CibaExpiredError("the CIBA request expired before the user approved it")
