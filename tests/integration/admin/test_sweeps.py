"""Every GET operation called once with real ids, every update sent back as read.

Operations are taken from the annotated admin document, not listed here: each path variable
is resolved from the resources `world` creates (an override per path shape where one name
stands for different things), and the method the naming rule gave the operation is called.
An answer that does not match the document raises `UnexpectedResponseError` and fails the
test; a typed HTTP error (a feature this server does not enable, an input only a configured
deployment has) is listed, and the operation is not counted as exercised.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from generator import admin_generate
from keycloak_sdk._errors import UnexpectedResponseError
from keycloak_sdk.admin import ApiError, KeycloakAdmin
from keycloak_sdk.admin.models import (
    AuthenticatorConfigRepresentation,
    AuthenticatorConfigRepresentationConfig,
    ClientRepresentation,
    ClientScopeRepresentation,
    GroupRepresentation,
    IdentityProviderMapperRepresentation,
    IdentityProviderMapperRepresentationConfig,
    IdentityProviderRepresentation,
    IdentityProviderRepresentationConfig,
    OrganizationDomainRepresentation,
    OrganizationRepresentation,
    ProtocolMapperRepresentation,
    ProtocolMapperRepresentationConfig,
    ResourceRepresentation,
    RoleRepresentation,
    ScopeRepresentation,
    UserRepresentation,
)

# (a part of the path, argument) -> key of `world` to use instead of the argument's own.
OVERRIDES = {
    ("/clients/{client-uuid}/roles/{role-name}", "role_name"): "client_role",
    ("/required-actions/{alias}", "alias"): "required_action",
    ("/authentication/config-description/", "provider_id"): "authenticator",
    ("/installation/providers/", "provider_id"): "installation",
    ("/organizations/{org-id}/groups", "group_id"): "org_group_id",
    ("/organizations/{org-id}/groups/group-by-path/", "path"): "org_group_path",
    ("/clients/{client-uuid}/protocol-mappers/", "protocol_mapper_id"): "client_mapper_id",
    ("/client-scopes/{client-scope-id}/protocol-", "protocol_mapper_id"): "scope_mapper_id",
    ("/client-templates/{client-scope-id}/protocol-", "protocol_mapper_id"): "scope_mapper_id",
    ("/authz/resource-server/permission/", "permission_id"): "permission_id",
}
# (the end of a path) -> keyword arguments some GETs need to answer at all.
KEYWORDS = {
    "/permission/search": {"name": "sweep-permission"},
    "/policy/search": {"name": "sweep-permission"},
    "/resource/search": {"name": "sweep-resource"},
    "/scope/search": {"name": "read"},
    "/generate-example-access-token": {"user_id": "user_id"},
    "/generate-example-id-token": {"user_id": "user_id"},
    "/generate-example-saml-response": {"user_id": "user_id"},
    "/generate-example-userinfo": {"user_id": "user_id"},
    "/sub-component-types": {"type": "component_type"},
}


# Operations this realm has no input for, and why.
NO_INPUT = {
    # the sweep's client is OIDC; test_writes.py asks a SAML client
    "/generate-example-saml-response": "needs a SAML client",
}


def _method(client: Any, qualified: str) -> Any:
    target = client
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


@pytest.fixture(scope="module")
def world(realm: KeycloakAdmin, organizations: KeycloakAdmin) -> Iterator[dict[str, str]]:
    """One of each resource the admin paths name, in the session's realm."""
    tag = uuid.uuid4().hex[:6]
    user_id = realm.users.create(UserRepresentation(username=f"sweep-{tag}", enabled=True)) or ""
    client_uuid = (
        realm.clients.create(
            ClientRepresentation(
                client_id=f"sweep-{tag}",
                public_client=False,
                service_accounts_enabled=True,
                authorization_services_enabled=True,
            )
        )
        or ""
    )
    group_id = realm.groups.create(GroupRepresentation(name=f"sweep-{tag}")) or ""
    realm.roles.create(RoleRepresentation(name=f"sweep-{tag}"))
    role = realm.roles.get(f"sweep-{tag}")
    realm.clients.roles.create(client_uuid, RoleRepresentation(name="sweep"))
    scope_id = (
        realm.client_scopes.create(
            ClientScopeRepresentation(name=f"sweep-{tag}", protocol="openid-connect")
        )
        or ""
    )
    mapper = ProtocolMapperRepresentation(
        name="sweep",
        protocol="openid-connect",
        protocol_mapper="oidc-hardcoded-claim-mapper",
        config=ProtocolMapperRepresentationConfig.from_dict(
            {"claim.name": "sweep", "claim.value": "1", "access.token.claim": "true"}
        ),
    )
    client_mapper_id = realm.clients.protocol_mappers.create(client_uuid, mapper) or ""
    scope_mapper_id = realm.client_scopes.protocol_mappers.create(scope_id, mapper) or ""
    alias = f"sweep-{tag}"
    realm.identity_providers.create(
        IdentityProviderRepresentation(
            alias=alias,
            provider_id="oidc",
            config=IdentityProviderRepresentationConfig.from_dict(
                {
                    "clientId": "x",
                    "clientSecret": "y",
                    "authorizationUrl": "http://127.0.0.1:1/auth",
                    "tokenUrl": "http://127.0.0.1:1/token",
                }
            ),
        )
    )
    realm.identity_providers.mappers.create(
        alias,
        IdentityProviderMapperRepresentation(
            name="sweep",
            identity_provider_alias=alias,
            identity_provider_mapper="hardcoded-attribute-idp-mapper",
            config=IdentityProviderMapperRepresentationConfig.from_dict(
                {"attribute": "sweep", "attribute.value": "1", "syncMode": "INHERIT"}
            ),
        ),
    )
    idp_mapper_id = realm.identity_providers.mappers.list(alias)[0].id or ""
    org_id = (
        realm.organizations.create(
            OrganizationRepresentation(
                name=f"sweep-{tag}",
                domains=[OrganizationDomainRepresentation(name=f"{tag}.example.org")],
            )
        )
        or ""
    )
    realm.organizations.members.add(org_id, user_id)
    realm.organizations.identity_providers.add(org_id, alias)
    org_group_id = realm.organizations.groups.create(org_id, GroupRepresentation(name=f"org-{tag}"))
    resource = realm.clients.authz.resources.create(
        client_uuid, ResourceRepresentation(name="sweep-resource")
    )
    authz_scope = realm.clients.authz.scopes.create(client_uuid, ScopeRepresentation(name="read"))
    permission = realm.clients.authz.permissions.create(
        client_uuid,
        {
            "name": "sweep-permission",
            "type": "resource",
            "resources": [resource.id],
            "policies": [],
        },
    )
    del permission
    permissions = realm.clients.authz.permissions.list(client_uuid, name="sweep-permission")
    policies = realm.clients.authz.policies.list(client_uuid)
    flows = realm.authentication.flows.list()
    browser = next(f for f in flows if f.alias == "browser")
    executions = realm.authentication.flows.executions.list("browser")
    redirector = next(e for e in executions if e.provider_id == "identity-provider-redirector")
    config_id = (
        realm.authentication.executions.config.create(
            redirector.id or "",
            AuthenticatorConfigRepresentation(
                alias=f"sweep-{tag}",
                config=AuthenticatorConfigRepresentationConfig.from_dict(
                    {"defaultProvider": alias}
                ),
            ),
        )
        or ""
    )
    realm.localization.import_texts("en", {"sweep.key": "Sweep"})
    components = realm.components.list()
    yield {
        "user_id": user_id,
        "client_uuid": client_uuid,
        "target_client_uuid": client_uuid,
        "client_role": "sweep",
        "group_id": group_id,
        "path": f"sweep-{tag}",
        "role_name": role.name or "",
        "role_id": role.id or "",
        "role_container_id": client_uuid,
        "client_scope_id": scope_id,
        "client_mapper_id": client_mapper_id,
        "scope_mapper_id": scope_mapper_id,
        "protocol": "openid-connect",
        "attr": "jwt.credential",
        "alias": alias,
        "mapper_id": idp_mapper_id,
        "provider_id": "oidc",
        "provider": "oidc",
        "authenticator": "identity-provider-redirector",
        "installation": "keycloak-oidc-keycloak-json",
        "required_action": "CONFIGURE_TOTP",
        "org_id": org_id,
        "member_id": user_id,
        "org_group_id": org_group_id or "",
        "org_group_path": f"org-{tag}",
        "resource_id": resource.id or "",
        "scope_id": authz_scope.id or "",
        "policy_id": policies[0].id or "" if policies else "",
        "permission_id": permissions[0].id or "" if permissions else "",
        "flow_alias": "browser",
        "flow_id": browser.id or "",
        "execution_id": redirector.id or "",
        "config_id": config_id,
        "component_id": components[0].id or "",
        "id": components[0].id or "",
        "component_type": components[0].provider_type or "",
        "locale": "en",
        "key": "sweep.key",
    }


def _value(world: dict[str, str], path: str, name: str) -> str:
    for (part, argument), key in OVERRIDES.items():
        if argument == name and part in path:
            return world.get(key, "")
    return world.get(name, "")


def _operations(method: str) -> list[tuple[str, dict[str, Any]]]:
    document = admin_generate.document("26.7.3")
    return [(p, item[method]) for p, item in sorted(document["paths"].items()) if method in item]


def _arguments(operation: dict[str, Any]) -> list[str]:
    return [
        p.get("x-python-name", p["name"])
        for p in operation["parameters"]
        if p["in"] == "path" and p["name"] != "realm"
    ]


def test_every_get_operation_answers_its_typed_model(
    realm: KeycloakAdmin, world: dict[str, str]
) -> None:
    called: list[str] = []
    refused: list[str] = []
    unresolved: list[str] = []
    mismatched: list[str] = []
    for path, operation in _operations("get"):
        names = _arguments(operation)
        values = [_value(world, path, n) for n in names]
        reason = next((why for end, why in NO_INPUT.items() if path.endswith(end)), None)
        if reason:
            unresolved.append(f"GET {path} ({reason})")
            continue
        if not all(values):
            missing = [n for n, v in zip(names, values, strict=True) if not v]
            unresolved.append(f"GET {path} (no {', '.join(missing)})")
            continue
        keywords = next((kw for end, kw in KEYWORDS.items() if path.endswith(end)), {})
        keywords = {k: world.get(v, v) for k, v in keywords.items()}
        try:
            _method(realm, operation["x-sdk-method"])(*values, **keywords)
        except ApiError as exc:
            refused.append(f"GET {path}: HTTP {exc.status_code}")
            continue
        except UnexpectedResponseError as exc:
            mismatched.append(f"GET {path}: {exc}")
            continue
        called.append(path)
    print(f"\nGET answered: {len(called)}; refused: {len(refused)}; unresolved: {len(unresolved)}")
    for line in mismatched:
        print("  MISMATCH:", line)
    for line in refused + unresolved:
        print("  not exercised:", line)
    assert mismatched == []
    assert len(called) >= 190


def test_every_update_accepts_what_its_get_answered(
    realm: KeycloakAdmin, world: dict[str, str]
) -> None:
    """PUT what GET answered, for every path that has both with the same JSON model."""
    document = admin_generate.document("26.7.3")
    sent: list[str] = []
    refused: list[str] = []
    mismatched: list[str] = []
    for path, item in sorted(document["paths"].items()):
        put, get = item.get("put"), item.get("get")
        if not (put and get):
            continue
        body = put.get("requestBody", {}).get("content", {}).get("application/json", {})
        answer = get["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if not body or body.get("schema") != answer.get("schema"):
            continue
        values = [_value(world, path, n) for n in _arguments(get)]
        if not all(values):
            refused.append(f"PUT {path}: unresolved")
            continue
        try:
            current = _method(realm, get["x-sdk-method"])(*values)
            _method(realm, put["x-sdk-method"])(*values, current)
        except ApiError as exc:
            refused.append(f"PUT {path}: HTTP {exc.status_code}")
            continue
        except UnexpectedResponseError as exc:
            mismatched.append(f"PUT {path}: {exc}")
            continue
        sent.append(path)
    print(f"\nPUT sent back: {len(sent)}; refused: {len(refused)}")
    for line in mismatched:
        print("  MISMATCH:", line)
    for line in refused:
        print("  not exercised:", line)
    assert mismatched == []
    assert len(sent) >= 25
