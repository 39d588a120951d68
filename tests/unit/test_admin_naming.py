"""The naming rule of admin operations (generator/admin_naming.py), on examples and on every
captured Keycloak version."""

from __future__ import annotations

import keyword

import pytest

from generator.admin_capture import admin_versions
from generator.admin_mends import mended
from generator.admin_naming import (
    AdminOperation,
    NamingError,
    OperationName,
    arguments,
    name_all,
    name_operation,
    operations_of,
    shape,
)

R = "/admin/realms/{realm}"


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", f"{R}/users", "users.list"),
        ("POST", f"{R}/users", "users.create"),
        ("GET", f"{R}/users/{{user-id}}", "users.get"),
        ("PUT", f"{R}/users/{{user-id}}", "users.update"),
        ("DELETE", f"{R}/users/{{user-id}}", "users.delete"),
        ("GET", f"{R}/users/count", "users.count"),
        ("PUT", f"{R}/users/{{user-id}}/reset-password", "users.reset_password"),
        ("POST", f"{R}/users/{{user-id}}/impersonation", "users.impersonate"),
        ("PUT", f"{R}/users/{{user-id}}/groups/{{groupId}}", "users.groups.add"),
        ("DELETE", f"{R}/users/{{user-id}}/groups/{{groupId}}", "users.groups.remove"),
        ("GET", f"{R}/users/{{user-id}}/role-mappings", "users.role_mappings.get"),
        ("POST", f"{R}/users/{{u}}/role-mappings/realm", "users.role_mappings.realm.add"),
        (
            "GET",
            f"{R}/users/{{u}}/role-mappings/clients/{{c}}/composite",
            "users.role_mappings.clients.effective",
        ),
        (
            "GET",
            f"{R}/groups/{{g}}/role-mappings/clients/{{c}}",
            "groups.role_mappings.clients.list",
        ),
        ("GET", f"{R}/client-scopes", "client_scopes.list"),
        ("GET", f"{R}/identity-provider/instances/{{alias}}", "identity_providers.get"),
        ("GET", f"{R}/clients/{{id}}/authz/resource-server", "clients.authz.get"),
        (
            "DELETE",
            f"{R}/clients/{{id}}/authz/resource-server/resource/{{r}}",
            "clients.authz.resources.delete",
        ),
        ("GET", f"{R}/clients/{{id}}/authz/resource-server/policy", "clients.authz.policies.list"),
        ("GET", f"{R}/clients/{{id}}/management/permissions", "clients.management_permissions.get"),
        ("POST", f"{R}/clients/{{id}}/client-secret", "clients.client_secret.regenerate"),
        ("GET", f"{R}/organizations/{{org}}/members/count", "organizations.members.count"),
        ("DELETE", f"{R}/events", "events.delete_all"),
        ("GET", f"{R}/events/config", "events.config.get"),
        ("POST", f"{R}/partialImport", "partial_import"),
        ("GET", R, "get"),
        ("PUT", f"{R}/localization/{{locale}}/{{key}}", "localization.set_text"),
        (
            "put",
            f"{R}/users/{{user-id}}/credentials/{{c}}/userLabel",
            "users.credentials.set_label",
        ),
    ],
)
def test_examples(method: str, path: str, expected: str) -> None:
    name = name_operation(AdminOperation(method, path))
    assert name.qualified == expected
    assert name.realm_bound


def test_the_realm_list_is_not_realm_bound() -> None:
    assert name_operation(AdminOperation("GET", "/admin/realms")) == OperationName(
        ("realms",), "list", realm_bound=False
    )
    assert name_operation(AdminOperation("POST", "/admin/realms")).qualified == "realms.create"


def test_names_ignore_variable_names_tags_and_summaries() -> None:
    old = AdminOperation("GET", f"{R}/users/{{id}}/role-mappings/clients/{{client}}", "Role Mapper")
    new = AdminOperation("GET", f"{R}/users/{{user-id}}/role-mappings/clients/{{client-id}}", None)
    assert name_operation(old) == name_operation(new)
    assert shape(old.path) == shape(new.path)


@pytest.mark.parametrize(
    "operation",
    [
        AdminOperation("GET", "/realms/sdk-test/protocol/openid-connect/certs"),
        AdminOperation("GET", "/admin/serverinfo"),
        AdminOperation("FETCH", f"{R}/users"),
        AdminOperation("PATCH", f"{R}/users/{{id}}"),
        AdminOperation("DELETE", "/admin/realms"),
    ],
)
def test_what_the_rule_cannot_name_is_an_error(operation: AdminOperation) -> None:
    with pytest.raises(NamingError):
        name_operation(operation)


def test_a_collision_is_refused() -> None:
    twins = [AdminOperation("GET", f"{R}/users/{{a}}"), AdminOperation("GET", f"{R}/users/{{b}}")]
    with pytest.raises(NamingError, match=r"users\.get names both"):
        name_all(twins)


def test_a_method_may_not_shadow_a_namespace() -> None:
    clash = [
        AdminOperation("GET", f"{R}/things/count"),  # things.count
        AdminOperation("GET", f"{R}/things/count/{{x}}/widgets"),  # things.count.widgets.list
    ]
    with pytest.raises(NamingError, match="both a method and a namespace"):
        name_all(clash)


VERSIONS = admin_versions()


def test_every_supported_version_has_an_admin_document() -> None:
    assert {"24.0.5", "25.0.6", "26.4.7", "26.5.6", "26.7.3"} <= set(VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_operation_gets_a_unique_pythonic_name(version: str) -> None:
    operations = operations_of(mended(version))
    names = name_all(operations)  # raises on a collision
    assert len(names) == len(operations)
    for name in names.values():
        for word in (*name.namespace, name.method):
            assert word.isidentifier() and word == word.lower(), name
            assert not keyword.iskeyword(word), name
    bound = [n for n in names.values() if n.realm_bound]
    assert len(bound) == len(names) - 2  # all but GET and POST /admin/realms


def test_26_7_3_names_all_413_operations() -> None:
    names = name_all(operations_of(mended("26.7.3")))
    assert len(names) == 413
    namespaces = {n.namespace[0] for n in names.values() if n.namespace}
    assert {
        "users",
        "groups",
        "roles",
        "clients",
        "client_scopes",
        "realms",
        "identity_providers",
        "authentication",
        "organizations",
    } <= namespaces


def test_names_are_stable_across_versions() -> None:
    """An operation present in two versions has the same name in both."""
    seen: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
    compared = 0
    for version in VERSIONS:
        for operation, name in name_all(operations_of(mended(version))).items():
            key = (operation.method, shape(operation.path))
            if key in seen:
                compared += 1
                first_version, first_name = seen[key]
                assert name.qualified == first_name, (
                    f"{operation.method} {operation.path}: {first_name} in {first_version}, "
                    f"{name.qualified} in {version}"
                )
            else:
                seen[key] = (version, name.qualified)
    assert compared >= 1464  # the five versions of today share most of their operations


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"{R}/users/{{user-id}}/role-mappings/clients/{{client-id}}", ("user_id", "client_uuid")),
        (f"{R}/users/{{id}}/role-mappings/clients/{{client}}", ("user_id", "client_uuid")),
        (f"{R}/users/{{user-id}}/consents/{{client}}", ("user_id", "client_id")),
        (
            f"{R}/clients/{{client-uuid}}/roles/{{role-name}}/composites/clients/{{targetClientUuid}}",
            ("client_uuid", "role_name", "target_client_uuid"),
        ),
        (
            f"{R}/roles/{{role-name}}/composites/clients/{{client-uuid}}",
            ("role_name", "client_uuid"),
        ),
        (
            f"{R}/clients/{{client-uuid}}/protocol-mappers/models/{{id}}",
            ("client_uuid", "protocol_mapper_id"),
        ),
        (f"{R}/identity-provider/instances/{{alias}}/mappers/{{id}}", ("alias", "mapper_id")),
        (f"{R}/clients-initial-access/{{id}}", ("initial_access_id",)),
        (f"{R}/authentication/flows/{{flowAlias}}/copy", ("flow_alias",)),
        (
            f"{R}/organizations/{{org-id}}/groups/{{group-id}}/members/{{userId}}",
            ("org_id", "group_id", "user_id"),
        ),
        (f"{R}/organizations/{{org-id}}/members/{{member-id}}", ("org_id", "member_id")),
        (R, ()),
        ("/admin/realms", ()),
    ],
)
def test_arguments(path: str, expected: tuple[str, ...]) -> None:
    assert arguments(path) == expected


def test_arguments_are_stable_unique_and_pythonic_in_every_version() -> None:
    seen: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}
    for version in VERSIONS:
        for operation, name in name_all(operations_of(mended(version))).items():
            assert name.arguments == arguments(operation.path)
            assert len(set(name.arguments)) == len(name.arguments), operation
            # one argument per path variable but {realm}
            assert len(name.arguments) == operation.path.count("{") - name.realm_bound
            for argument in name.arguments:
                assert argument.isidentifier() and not keyword.iskeyword(argument)
            key = (operation.method, shape(operation.path))
            if key in seen:
                first_version, first = seen[key]
                assert name.arguments == first, (operation.path, first_version, version)
            else:
                seen[key] = (version, name.arguments)
