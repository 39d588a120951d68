"""Polling the token endpoint for device (RFC 8628 §3.4-3.5) and CIBA poll-mode grants.

The loop is a flow (see `_core`): it asks the driver for the clock and for sleeps, so tests
drive it with a fake clock and the async client sleeps with asyncio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keycloak_sdk.extensions._core import CoreCall, Flow, Now, Sleep
from keycloak_sdk.extensions.errors import (
    AuthorizationPendingError,
    DeviceFlowExpiredError,
    ExpiredTokenError,
    PollingTimeoutError,
    SlowDownError,
)
from keycloak_sdk.extensions.tokens import TokenSet

if TYPE_CHECKING:
    from collections.abc import Callable

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5.0  # RFC 8628 §3.5: every slow_down adds 5 seconds to the interval
DEFAULT_MAX_WAIT = 600.0


def poll_token_endpoint(
    call: CoreCall,
    *,
    interval: float,
    expires_at: float,
    max_wait: float | None,
    expired: Callable[[], DeviceFlowExpiredError],
    dpop: bool = False,
) -> Flow[TokenSet]:
    """Poll until the user approves; raise a typed error on expiry, denial or timeout.

    `call` is the core's token request (`oidc.token_device_code` / `oidc.token_ciba`); its
    OAuth errors are thrown back into this generator by the driver.
    """
    started: float = yield Now()
    wait_limit = started + (DEFAULT_MAX_WAIT if max_wait is None else max_wait)
    interval = max(interval, 1.0)
    while True:
        now: float = yield Now()
        if now + interval >= expires_at:
            raise expired()
        if now + interval > wait_limit:
            raise PollingTimeoutError("the user did not approve within the maximum wait")
        yield Sleep(interval)
        try:
            response = yield call
        except AuthorizationPendingError:
            continue
        except SlowDownError:
            interval += SLOW_DOWN_STEP
        except ExpiredTokenError:
            raise expired() from None
        else:
            return TokenSet.from_core(response, dpop=dpop)


def device_code_expired() -> DeviceFlowExpiredError:
    return DeviceFlowExpiredError("the device code expired before the user approved it")
