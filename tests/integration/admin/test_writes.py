"""Writes round-tripped against the real Keycloak: what is added is read back, then removed.

Together with test_round_trips.py and test_sweeps.py these exercise the admin operations a
realm without SMTP, LDAP or a second server can answer; the session's record
(.cache/admin-coverage.json) says which ran.
"""

from __future__ import annotations

import uuid

import pytest

from keycloak_sdk.admin import KeycloakAdmin, NotFoundError
from keycloak_sdk.admin.models import (
    AuthenticationExecutionRepresentation,
    AuthenticationFlowRepresentation,
    AuthenticatorConfigRepresentation,
    ClientInitialAccessCreatePresentation,
    ClientRepresentation,
    ClientScopeRepresentation,
    ComponentRepresentation,
    CredentialRepresentation,
    FederatedIdentityRepresentation,
    GroupRepresentation,
    IdentityProviderMapperRepresentation,
    IdentityProviderMapperRepresentationConfig,
    IdentityProviderRepresentation,
    IdentityProviderRepresentationConfig,
    KeyStoreConfig,
    OrganizationDomainRepresentation,
    OrganizationRepresentation,
    PolicyEvaluationRequest,
    ProtocolMapperRepresentation,
    ProtocolMapperRepresentationConfig,
    ResourceRepresentation,
    ResourceServerRepresentation,
    RoleRepresentation,
    ScopeRepresentation,
    UserRepresentation,
)
from tests.helpers.keycloak import RunningKeycloak


def _tag() -> str:
    return uuid.uuid4().hex[:6]


def _mapper(name: str) -> ProtocolMapperRepresentation:
    return ProtocolMapperRepresentation(
        name=name,
        protocol="openid-connect",
        protocol_mapper="oidc-hardcoded-claim-mapper",
        config=ProtocolMapperRepresentationConfig.from_dict(
            {"claim.name": name, "claim.value": "1", "access.token.claim": "true"}
        ),
    )


@pytest.fixture
def client_uuid(realm: KeycloakAdmin) -> str:
    created = realm.clients.create(
        ClientRepresentation(
            client_id=f"w-{_tag()}",
            public_client=False,
            service_accounts_enabled=True,
            authorization_services_enabled=True,
        )
    )
    assert created is not None
    return created


def test_role_mappings_and_composites_add_and_remove(
    realm: KeycloakAdmin, client_uuid: str
) -> None:
    tag = _tag()
    realm.roles.create(RoleRepresentation(name=f"a-{tag}"))
    realm.roles.create(RoleRepresentation(name=f"b-{tag}"))
    a, b = realm.roles.get(f"a-{tag}"), realm.roles.get(f"b-{tag}")
    realm.clients.roles.create(client_uuid, RoleRepresentation(name="c"))
    realm.clients.roles.create(client_uuid, RoleRepresentation(name="d"))
    c, d = realm.clients.roles.get(client_uuid, "c"), realm.clients.roles.get(client_uuid, "d")
    user_id = realm.users.create(UserRepresentation(username=f"m-{tag}", enabled=True)) or ""
    group_id = realm.groups.create(GroupRepresentation(name=f"m-{tag}")) or ""

    realm.roles.composites.add(a.name or "", [b])
    assert [r.name for r in realm.roles.composites.list(a.name or "")] == [b.name]
    realm.roles.composites.remove(a.name or "", [b])
    realm.roles_by_id.composites.add(a.id or "", [b])
    realm.roles_by_id.composites.remove(a.id or "", [b])
    realm.clients.roles.composites.add(client_uuid, "c", [d])
    realm.clients.roles.composites.remove(client_uuid, "c", [d])

    realm.groups.role_mappings.realm.add(group_id, [a])
    realm.groups.role_mappings.realm.remove(group_id, [a])
    realm.groups.role_mappings.clients.add(group_id, client_uuid, [c])
    realm.groups.role_mappings.clients.remove(group_id, client_uuid, [c])
    realm.users.role_mappings.realm.add(user_id, [a])
    realm.users.role_mappings.realm.remove(user_id, [a])
    realm.users.role_mappings.clients.add(user_id, client_uuid, [c])
    realm.users.role_mappings.clients.remove(user_id, client_uuid, [c])
    assert realm.users.role_mappings.clients.list(user_id, client_uuid) == []

    realm.clients.scope_mappings.realm.add(client_uuid, [a])
    realm.clients.scope_mappings.realm.remove(client_uuid, [a])
    realm.clients.scope_mappings.clients.add(client_uuid, client_uuid, [c])
    realm.clients.scope_mappings.clients.remove(client_uuid, client_uuid, [c])

    realm.users.groups.add(user_id, group_id)
    realm.users.groups.remove(user_id, group_id)
    realm.default_groups.add(group_id)
    realm.default_groups.remove(group_id)

    realm.clients.roles.delete(client_uuid, "d")
    realm.roles_by_id.delete(b.id or "")
    realm.roles.delete(a.name or "")
    with pytest.raises(NotFoundError):
        realm.roles.get(a.name or "")
    realm.users.delete(user_id)
    realm.groups.delete(group_id)


def test_client_scopes_templates_and_mappers(realm: KeycloakAdmin, client_uuid: str) -> None:
    tag = _tag()
    realm.roles.create(RoleRepresentation(name=f"s-{tag}"))
    role = realm.roles.get(f"s-{tag}")
    realm.clients.roles.create(client_uuid, RoleRepresentation(name="s"))
    client_role = realm.clients.roles.get(client_uuid, "s")
    for scopes in (realm.client_scopes, realm.client_templates):
        scope_id = (
            scopes.create(ClientScopeRepresentation(name=f"s-{_tag()}", protocol="openid-connect"))
            or ""
        )
        scopes.protocol_mappers.create_many(scope_id, [_mapper("one"), _mapper("two")])
        mapper_id = scopes.protocol_mappers.create(scope_id, _mapper("three")) or ""
        assert len(scopes.protocol_mappers.list(scope_id)) == 3
        scopes.protocol_mappers.delete(scope_id, mapper_id)
        scopes.scope_mappings.realm.add(scope_id, [role])
        scopes.scope_mappings.realm.remove(scope_id, [role])
        scopes.scope_mappings.clients.add(scope_id, client_uuid, [client_role])
        scopes.scope_mappings.clients.remove(scope_id, client_uuid, [client_role])
        scopes.delete(scope_id)

    scope_id = (
        realm.client_scopes.create(
            ClientScopeRepresentation(name=f"d-{tag}", protocol="openid-connect")
        )
        or ""
    )
    realm.clients.default_client_scopes.add(client_uuid, scope_id)
    realm.clients.default_client_scopes.remove(client_uuid, scope_id)
    realm.clients.optional_client_scopes.add(client_uuid, scope_id)
    realm.clients.optional_client_scopes.remove(client_uuid, scope_id)
    realm.default_default_client_scopes.add(scope_id)
    realm.default_default_client_scopes.remove(scope_id)
    realm.default_optional_client_scopes.add(scope_id)
    realm.default_optional_client_scopes.remove(scope_id)

    realm.clients.protocol_mappers.create_many(client_uuid, [_mapper("a"), _mapper("b")])
    mapper = next(m for m in realm.clients.protocol_mappers.list(client_uuid) if m.name == "a")
    realm.clients.protocol_mappers.delete(client_uuid, mapper.id or "")
    realm.client_scopes.delete(scope_id)
    realm.roles.delete(role.name or "")


def test_client_actions_certificates_and_authorization(
    realm: KeycloakAdmin, client_uuid: str
) -> None:
    certificate = realm.clients.certificates.generate(client_uuid, "jwt.credential")
    assert certificate.certificate
    store = KeyStoreConfig(
        format_="PKCS12", key_alias="k", key_password="pw-1234", store_password="pw-1234"
    )
    assert realm.clients.certificates.download(client_uuid, "jwt.credential", store)
    assert realm.clients.certificates.generate_and_download(client_uuid, "jwt.credential", store)
    assert realm.clients.regenerate_registration_access_token(client_uuid).registration_access_token
    realm.clients.push_revocation(client_uuid)
    realm.clients.nodes.register(client_uuid, {"node": "127.0.0.1"})
    realm.clients.nodes.unregister(client_uuid, "127.0.0.1")
    converted = realm.realms.convert_client_description('{"clientId": "converted"}')
    assert converted.client_id == "converted"

    resource = realm.clients.authz.resources.create(client_uuid, ResourceRepresentation(name="doc"))
    scope = realm.clients.authz.scopes.create(client_uuid, ScopeRepresentation(name="write"))
    policy = realm.clients.authz.policies.create(
        client_uuid,
        {"name": "nobody", "type": "user", "logic": "POSITIVE", "config": {"users": "[]"}},
    )
    assert policy.name == "nobody"
    user_id = realm.users.create(UserRepresentation(username=f"z-{_tag()}", enabled=True)) or ""
    request = PolicyEvaluationRequest(user_id=user_id, resources=[resource])
    assert realm.clients.authz.policies.evaluate(client_uuid, request).status
    assert realm.clients.authz.permissions.evaluate(client_uuid, request).status
    settings = realm.clients.authz.get(client_uuid)
    realm.clients.authz.import_settings(
        client_uuid, ResourceServerRepresentation.from_dict(settings.to_dict())
    )
    realm.clients.authz.resources.delete(client_uuid, resource.id or "")
    realm.clients.authz.scopes.delete(client_uuid, scope.id or "")
    realm.users.delete(user_id)

    access = ClientInitialAccessCreatePresentation(count=1, expiration=60)
    token = realm.initial_access.create(access)
    assert token.token
    realm.initial_access.delete(token.id or "")


def test_authentication_flows_executions_and_required_actions(realm: KeycloakAdmin) -> None:
    tag = _tag()
    alias = f"flow-{tag}"
    flow_id = (
        realm.authentication.flows.create(
            AuthenticationFlowRepresentation(
                alias=alias, provider_id="basic-flow", top_level=True, built_in=False
            )
        )
        or ""
    )
    realm.authentication.flows.executions.add_execution(alias, {"provider": "auth-cookie"})
    realm.authentication.flows.executions.add_execution(alias, {"provider": "auth-otp-form"})
    realm.authentication.flows.executions.add_flow(
        alias, {"alias": f"sub-{tag}", "type": "basic-flow", "provider": "registration-page-form"}
    )
    executions = realm.authentication.flows.executions.list(alias)
    first = executions[0]
    first.requirement = "ALTERNATIVE"
    realm.authentication.flows.executions.update(alias, first)
    second = executions[1].id or ""
    realm.authentication.executions.raise_priority(second)
    realm.authentication.executions.lower_priority(second)
    created = realm.authentication.executions.create(
        AuthenticationExecutionRepresentation(
            authenticator="auth-username-password-form", parent_flow=flow_id, requirement="DISABLED"
        )
    )
    assert created is not None
    realm.authentication.executions.delete(created)
    config_id = realm.authentication.config.create(
        AuthenticatorConfigRepresentation(alias=f"cfg-{tag}")
    )
    if config_id:
        realm.authentication.config.delete(config_id)
    copy = realm.authentication.flows.copy(alias, {"newName": f"copy-{tag}"})
    del copy
    copied = next(f for f in realm.authentication.flows.list() if f.alias == f"copy-{tag}")
    realm.authentication.flows.delete(copied.id or "")
    realm.authentication.flows.delete(flow_id)

    realm.authentication.required_actions.raise_priority("UPDATE_PASSWORD")
    realm.authentication.required_actions.lower_priority("UPDATE_PASSWORD")
    realm.authentication.required_actions.config.delete("UPDATE_PASSWORD")
    unregistered = realm.authentication.unregistered_required_actions.list()
    if unregistered:
        action = unregistered[0]
        realm.authentication.register_required_action(
            {"providerId": action["providerId"], "name": action["name"]}
        )
        realm.authentication.required_actions.delete(action["providerId"])


def test_identity_providers_organizations_and_users(
    realm: KeycloakAdmin, organizations: KeycloakAdmin
) -> None:
    tag = _tag()
    alias = f"idp-{tag}"
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
    user_id = realm.users.create(UserRepresentation(username=f"o-{tag}", enabled=True)) or ""
    realm.users.federated_identity.add(
        user_id,
        alias,
        FederatedIdentityRepresentation(identity_provider=alias, user_id="ext", user_name="ext"),
    )
    assert [f.identity_provider for f in realm.users.federated_identity.list(user_id)] == [alias]
    realm.users.federated_identity.remove(user_id, alias)

    org_id = (
        realm.organizations.create(
            OrganizationRepresentation(
                name=f"org-{tag}",
                domains=[OrganizationDomainRepresentation(name=f"{tag}.example.org")],
            )
        )
        or ""
    )
    realm.organizations.identity_providers.add(org_id, alias)
    realm.organizations.identity_providers.remove(org_id, alias)
    realm.organizations.members.add(org_id, user_id)
    group_id = realm.organizations.groups.create(org_id, GroupRepresentation(name="team")) or ""
    child = realm.organizations.groups.children.create(
        org_id, group_id, GroupRepresentation(name="sub")
    )
    assert child is not None
    realm.organizations.groups.members.add(org_id, group_id, user_id)
    realm.organizations.groups.members.remove(org_id, group_id, user_id)
    realm.roles.create(RoleRepresentation(name=f"org-{tag}"))
    role = realm.roles.get(f"org-{tag}")
    realm.organizations.groups.role_mappings.realm.add(org_id, group_id, [role])
    realm.organizations.groups.role_mappings.realm.remove(org_id, group_id, [role])
    client_uuid = realm.clients.create(ClientRepresentation(client_id=f"oc-{tag}")) or ""
    realm.clients.roles.create(client_uuid, RoleRepresentation(name="r"))
    client_role = realm.clients.roles.get(client_uuid, "r")
    mappings = realm.organizations.groups.role_mappings.clients
    mappings.add(org_id, group_id, client_uuid, [client_role])
    assert [
        r.name
        for r in realm.organizations.groups.role_mappings.clients.list(
            org_id, group_id, client_uuid
        )
    ] == ["r"]
    realm.organizations.groups.role_mappings.clients.remove(
        org_id, group_id, client_uuid, [client_role]
    )
    realm.clients.delete(client_uuid)
    realm.organizations.groups.delete(org_id, group_id)
    realm.organizations.members.remove(org_id, user_id)
    realm.organizations.delete(org_id)

    realm.users.reset_password(
        user_id, CredentialRepresentation(type_="password", value="Pw-12345", temporary=False)
    )
    credential = realm.users.credentials.list(user_id)[0]
    realm.users.credentials.set_label(user_id, credential.id or "", "laptop")
    assert realm.users.credentials.list(user_id)[0].user_label == "laptop"
    realm.users.credentials.move_to_first(user_id, credential.id or "")
    realm.users.disable_credential_types(user_id, [])
    realm.users.logout(user_id)
    realm.users.credentials.delete(user_id, credential.id or "")
    realm.attack_detection.brute_force.delete(user_id)
    realm.attack_detection.brute_force.delete_all()
    impersonation = realm.users.impersonate(user_id)
    assert "redirect" in impersonation or "sameRealm" in impersonation
    realm.users.delete(user_id)
    realm.identity_providers.mappers.create(
        alias,
        IdentityProviderMapperRepresentation(
            name="m",
            identity_provider_alias=alias,
            identity_provider_mapper="hardcoded-attribute-idp-mapper",
            config=IdentityProviderMapperRepresentationConfig.from_dict(
                {"attribute": "a", "attribute.value": "1", "syncMode": "INHERIT"}
            ),
        ),
    )
    mapper = realm.identity_providers.mappers.list(alias)[0]
    realm.identity_providers.mappers.delete(alias, mapper.id or "")
    realm.identity_providers.delete(alias)


def test_identity_provider_config_imported_from_a_discovery_url(
    keycloak: RunningKeycloak, realm: KeycloakAdmin
) -> None:
    discovery = f"{keycloak.issuer}/.well-known/openid-configuration"
    imported = realm.identity_providers.import_config({"providerId": "oidc", "fromUrl": discovery})
    assert imported["issuer"] == keycloak.issuer
    assert imported["tokenUrl"].endswith("/protocol/openid-connect/token")


def test_saml_client_example_response(realm: KeycloakAdmin) -> None:
    client_uuid = (
        realm.clients.create(ClientRepresentation(client_id=f"urn:saml:{_tag()}", protocol="saml"))
        or ""
    )
    user_id = realm.users.create(UserRepresentation(username=f"saml-{_tag()}", enabled=True)) or ""
    example = realm.clients.evaluate_scopes.generate_example_saml_response(
        client_uuid, user_id=user_id
    )
    assert example.startswith("<samlp:Response")
    realm.users.delete(user_id)
    realm.clients.delete(client_uuid)


def test_realm_level_actions(realm: KeycloakAdmin) -> None:
    realm.localization.import_texts("de", {"hello": "Hallo"})
    realm.localization.set_text("de", "bye", "Tschüss")
    assert realm.localization.get_text("de", "bye") == "Tschüss"
    realm.localization.delete_text("de", "bye")
    realm.localization.delete("de")
    exported = realm.realms.partial_export(export_clients=True)
    assert exported.realm
    result = realm.realms.partial_import(
        {"ifResourceExists": "SKIP", "roles": {"realm": [{"name": f"imported-{_tag()}"}]}}
    )
    assert result["added"] == 1
    realm.realms.push_revocation()
    realm.realms.logout_all()
    realm.admin_events.delete_all()
    realm.events.delete_all()
    component_id = f"c-{_tag()}"
    realm.components.create(
        ComponentRepresentation(
            name=component_id,
            provider_id="rsa-generated",
            provider_type="org.keycloak.keys.KeyProvider",
        )
    )
    component = next(c for c in realm.components.list() if c.name == component_id)
    realm.components.delete(component.id or "")
