"""FastAPI shows the Keycloak security scheme in its OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Security
from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.fastapi import KeycloakFastAPI
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.identity import Identity

SETTINGS = ClientSettings(
    server_url="http://127.0.0.1:9", realm="sdk-test", client_id="api", client_secret="x"
)
kc = KeycloakFastAPI(SETTINGS)
app = FastAPI()


@app.get("/me")
async def me(claims: Annotated[AccessTokenClaims, Security(kc.claims)]) -> dict[str, str]:
    return {"sub": claims.sub or ""}


@app.get("/admin")
async def admin(user: Annotated[Identity, Security(kc.requires_roles("admin"))]) -> bool:
    return True


def test_openid_connect_scheme_is_declared() -> None:
    document = app.openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes["keycloak"] == {
        "type": "openIdConnect",
        "openIdConnectUrl": "http://127.0.0.1:9/realms/sdk-test/.well-known/openid-configuration",
    }
    assert document["paths"]["/me"]["get"]["security"] == [{"keycloak": []}]
    assert document["paths"]["/admin"]["get"]["security"] == [{"keycloak": []}]
