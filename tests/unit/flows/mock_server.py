"""An in-process fake of the few Keycloak endpoints the unit tests need (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

ISSUER = "http://127.0.0.1:8080/realms/unit"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
    "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
    "userinfo_endpoint": f"{ISSUER}/protocol/openid-connect/userinfo",
    "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
    "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout",
    "introspection_endpoint": f"{ISSUER}/protocol/openid-connect/token/introspect",
    "revocation_endpoint": f"{ISSUER}/protocol/openid-connect/revoke",
    "device_authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth/device",
    "authorization_response_iss_parameter_supported": True,
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256"],
}

TokenHandler = Callable[[dict[str, str]], httpx.Response]


def token_response(
    access_token: str = "at-1", expires_in: int = 300, **extra: Any
) -> httpx.Response:
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in, **extra}
    return httpx.Response(200, json=body)


def oauth_error(error: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": f"{error} test"})


class FakeKeycloak:
    """Counts token requests; `on_token` decides each answer."""

    def __init__(self, on_token: TokenHandler) -> None:
        self.on_token = on_token
        self.token_requests: list[dict[str, str]] = []
        self.discovery_requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            self.discovery_requests += 1
            return httpx.Response(200, json=DISCOVERY)
        if path.endswith("/protocol/openid-connect/token"):
            form = dict(httpx.QueryParams(request.content.decode()))
            self.token_requests.append(form)
            return self.on_token(form)
        if path.endswith("/auth/device"):
            return httpx.Response(
                200,
                text=json.dumps(
                    {
                        "device_code": "dc-secret",
                        "user_code": "ABCD-EFGH",
                        "verification_uri": f"{ISSUER}/device",
                        "expires_in": 600,
                        "interval": 5,
                    }
                ),
                headers={"content-type": "application/json"},
            )
        return httpx.Response(404)

    def sync_http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))

    def async_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
