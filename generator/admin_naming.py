"""Stable, Pythonic names for Keycloak's admin operations, which have no operationIds.

`name_operation(AdminOperation("GET", "/admin/realms/{realm}/users/{user-id}"))` gives
`OperationName(namespace=("users",), method="get", realm_bound=True)`, called as
`admin.realm("acme").users.get(user_id)`. The rule reads only the HTTP method and the *shape*
of the path (its literal segments, and where variables stand; never the variables' names),
because that is what stays the same across Keycloak versions: Keycloak renames path variables
(`{client}` became `{client-id}`) and retags operations (31 operations of 26.7.3 have no tag),
but it does not move an endpoint without changing what it does. The tag and summary are
carried for documentation only.

The rule, in order:

1. `/admin/realms` is the `realms` namespace, not bound to a realm. Every other path starts
   with `/admin/realms/{realm}`: that prefix is bound once (`admin.realm("acme")`) and dropped.
2. An operation listed in OVERRIDES gets the name listed there (a handful of oddities).
3. The last literal segment is the *leaf*. If (parent literal, leaf) or ("*", leaf) is in
   ACTIONS, the leaf names the method (`reset-password` -> `reset_password`) and the literals
   before it make the namespace.
4. Otherwise every literal is part of the namespace, and the method comes from the HTTP method
   and the kind of the leaf (KINDS, default "collection"):

   | kind       | GET                        | POST   | PUT    | DELETE                     |
   |------------|----------------------------|--------|--------|----------------------------|
   | collection | list; get on `/{id}`       | create | update | delete_all; delete `/{id}` |
   | singleton  | get                        | create | update | delete                     |
   | link       | list; get on `/{id}`       | add    | add    | remove                     |
   | keyed link | list (`/{id}` says whose)  | add    | add    | remove                     |

5. Namespace words are the literals in snake_case, renamed or dropped by NAMES (for example
   `identity-provider/instances` -> `identity_providers`, `authz/resource-server` -> `authz`).
6. Names are unique within a version; `name_all()` refuses a collision.
7. Path variables after `{realm}` become method arguments named by `arguments()`, also stable
   across versions (`users.role_mappings.clients.list(user_id, client_uuid)`).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

REALMS = ("admin", "realms")
REALM = "{realm}"
VAR = "{}"

Kind = Literal["collection", "singleton", "link", "keyed link"]


class NamingError(ValueError):
    """An operation the rule cannot name, or two operations given one name."""


@dataclass(frozen=True)
class AdminOperation:
    """What the rule reads from one operation of the admin document."""

    method: str  # HTTP method, any case
    path: str  # as in the document: /admin/realms/{realm}/users/{user-id}
    tag: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class OperationName:
    namespace: tuple[str, ...]  # () for operations on the realm itself
    method: str
    realm_bound: bool
    # Python names of the path variables after {realm}, in path order (see `arguments()`).
    arguments: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        """`users.reset_password`, `realms.list`, or `get` for the realm itself."""
        return ".".join((*self.namespace, self.method))


def shape(path: str) -> tuple[str, ...]:
    """The path's segments with every variable written `{}`: what names depend on."""
    return tuple(VAR if s.startswith("{") else s for s in path.strip("/").split("/"))


# A literal -> its namespace word, or None to drop it; keyed by (parent literal, literal),
# or ("*", literal) for any parent. Unlisted literals are snake_cased.
NAMES: Mapping[tuple[str, str], str | None] = {
    ("identity-provider", "instances"): None,
    ("*", "identity-provider"): "identity_providers",
    ("authz", "resource-server"): None,
    ("resource-server", "permission"): "permissions",
    ("resource-server", "policy"): "policies",
    ("resource-server", "resource"): "resources",
    ("resource-server", "scope"): "scopes",
    ("protocol-mappers", "models"): None,
    ("*", "management"): None,
    ("management", "permissions"): "management_permissions",
    ("attack-detection", "brute-force"): None,
    ("brute-force", "users"): "brute_force",
    ("*", "clients-initial-access"): "initial_access",
    ("*", "client-templates"): "client_templates",
}

# (parent literal, leaf) or ("*", leaf) -> method name: the leaf is a verb, or a view of the
# namespace before it.
ACTIONS: Mapping[tuple[str, str], str] = {
    ("*", "count"): "count",
    ("*", "search"): "search",
    ("*", "evaluate"): "evaluate",
    ("*", "copy"): "copy",
    ("*", "lower-priority"): "lower_priority",
    ("*", "raise-priority"): "raise_priority",
    ("*", "available"): "available",
    ("*", "composite"): "effective",
    ("*", "granted"): "granted",
    ("*", "not-granted"): "not_granted",
    ("*", "download"): "download",
    ("*", "generate"): "generate",
    ("*", "generate-and-download"): "generate_and_download",
    ("*", "upload"): "upload",
    ("*", "upload-certificate"): "upload_certificate",
    ("*", "export"): "export",
    ("*", "import-config"): "import_config",
    ("*", "reload-keys"): "reload_keys",
    ("*", "resend"): "resend",
    ("*", "invite-user"): "invite_user",
    ("*", "invite-existing-user"): "invite_existing_user",
    ("*", "migrate"): "migrate",
    ("*", "activate"): "activate",
    ("*", "deactivate"): "deactivate",
    ("*", "push-revocation"): "push_revocation",
    ("*", "logout-all"): "logout_all",
    ("*", "logout"): "logout",
    ("*", "partial-export"): "partial_export",
    ("*", "partialImport"): "partial_import",
    ("*", "testSMTPConnection"): "test_smtp_connection",
    ("*", "client-description-converter"): "convert_client_description",
    ("*", "reset-password"): "reset_password",
    ("*", "reset-password-email"): "send_reset_password_email",
    ("*", "send-verify-email"): "send_verify_email",
    ("*", "execute-actions-email"): "execute_actions_email",
    ("*", "disable-credential-types"): "disable_credential_types",
    ("*", "impersonation"): "impersonate",
    ("*", "moveAfter"): "move_after",
    ("*", "moveToFirst"): "move_to_first",
    ("*", "userLabel"): "set_label",
    ("*", "session-count"): "session_count",
    ("*", "offline-session-count"): "offline_session_count",
    ("*", "test-nodes-available"): "test_nodes_available",
    ("*", "registration-access-token"): "regenerate_registration_access_token",
    ("*", "register-required-action"): "register_required_action",
    ("*", "add-models"): "create_many",
    ("protocol-mappers", "protocol"): "list_by_protocol",
    ("resource-server", "import"): "import_settings",
    ("executions", "execution"): "add_execution",
    ("executions", "flow"): "add_flow",
    ("*", "generate-example-access-token"): "generate_example_access_token",
    ("*", "generate-example-id-token"): "generate_example_id_token",
    ("*", "generate-example-saml-response"): "generate_example_saml_response",
    ("*", "generate-example-userinfo"): "generate_example_userinfo",
}

KINDS: Mapping[tuple[str, str], Kind] = {
    # one object, never a list
    ("*", "client-secret"): "singleton",
    ("client-secret", "rotated"): "singleton",
    ("*", "config"): "singleton",
    ("*", "config-description"): "singleton",
    ("*", "profile"): "singleton",
    ("profile", "metadata"): "singleton",
    ("*", "settings"): "singleton",
    ("authz", "resource-server"): "singleton",
    ("management", "permissions"): "singleton",
    ("*", "users-management-permissions"): "singleton",
    ("*", "role-mappings"): "singleton",
    ("*", "scope-mappings"): "singleton",
    ("*", "service-account-user"): "singleton",
    ("*", "unmanagedAttributes"): "singleton",
    ("*", "keys"): "singleton",
    ("*", "client-types"): "singleton",
    ("client-policies", "policies"): "singleton",
    ("client-policies", "profiles"): "singleton",
    ("*", "per-client-config-description"): "singleton",
    ("*", "client-session-stats"): "singleton",
    # membership: adding and removing links between things that exist on their own
    ("users", "groups"): "link",
    ("groups", "members"): "link",
    ("*", "members"): "link",
    ("organizations", "identity-providers"): "link",
    ("*", "default-client-scopes"): "link",
    ("*", "optional-client-scopes"): "link",
    ("*", "default-default-client-scopes"): "link",
    ("*", "default-optional-client-scopes"): "link",
    ("*", "default-groups"): "link",
    ("*", "composites"): "link",
    ("role-mappings", "realm"): "link",
    ("scope-mappings", "realm"): "link",
    ("composites", "realm"): "link",
    ("users", "federated-identity"): "link",
    ("users", "consents"): "link",
    # the variable after these picks whose list it is, not an item of the list
    ("role-mappings", "clients"): "keyed link",
    ("scope-mappings", "clients"): "keyed link",
    ("composites", "clients"): "keyed link",
    ("users", "offline-sessions"): "keyed link",
    ("workflows", "scheduled"): "keyed link",
}

# (METHOD, path shape after the realm prefix) -> qualified name, for what the rule gets wrong.
OVERRIDES: Mapping[tuple[str, tuple[str, ...]], str] = {
    ("GET", ("group-by-path", VAR)): "groups.get_by_path",
    ("GET", ("organizations", VAR, "groups", "group-by-path", VAR)): (
        "organizations.groups.get_by_path"
    ),
    ("GET", ("organizations", "members", VAR, "organizations")): ("organizations.list_for_member"),
    ("POST", ("localization", VAR)): "localization.import_texts",
    ("GET", ("localization", VAR, VAR)): "localization.get_text",
    ("PUT", ("localization", VAR, VAR)): "localization.set_text",
    ("DELETE", ("localization", VAR, VAR)): "localization.delete_text",
    ("POST", ("users", VAR, "federated-identity", VAR)): "users.federated_identity.add",
    ("POST", ("clients", VAR, "nodes")): "clients.nodes.register",
    ("DELETE", ("clients", VAR, "nodes", VAR)): "clients.nodes.unregister",
    ("POST", ("clients", VAR, "client-secret")): "clients.client_secret.regenerate",
    ("DELETE", ("sessions", VAR)): "sessions.delete",
}

# (parent literal, literal) or ("*", literal) -> the Python name of the variable after it, where
# Keycloak's own variable name is unstable or misleading ({client}, {client-id} and
# {targetClientUuid} all hold a client's internal id; consents/{client} holds its clientId).
ARGUMENTS: Mapping[tuple[str, str], str] = {
    ("*", "clients"): "client_uuid",
    ("*", "offline-sessions"): "client_uuid",
    ("users", "consents"): "client_id",
    ("groups", "members"): "user_id",
    ("*", "members"): "member_id",
}

_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}


def _lookup(table: Mapping[tuple[str, str], Any], parent: str, literal: str) -> Any:
    if (parent, literal) in table:
        return table[parent, literal]
    return table.get(("*", literal))


def snake(word: str) -> str:
    """`reset-password` -> `reset_password`, `unmanagedAttributes` -> `unmanaged_attributes`."""
    word = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", word)
    word = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", word)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", word).strip("_").lower()
    return f"{name}_" if keyword.iskeyword(name) else name


def _namespace(literals: list[tuple[str, str]]) -> tuple[str, ...]:
    words = []
    for parent, literal in literals:
        if (parent, literal) in NAMES or ("*", literal) in NAMES:
            word = _lookup(NAMES, parent, literal)
            if word is None:
                continue
        else:
            word = snake(literal)
        words.append(word)
    return tuple(words)


def _method_for(kind: Kind, http: str, on_item: bool) -> str | None:
    if kind == "singleton":
        return {"GET": "get", "POST": "create", "PUT": "update", "DELETE": "delete"}.get(http)
    if kind == "keyed link":
        return {"GET": "list", "POST": "add", "PUT": "add", "DELETE": "remove"}.get(http)
    if kind == "link":
        if http == "GET":
            return "get" if on_item else "list"
        return {"POST": "add", "PUT": "add", "DELETE": "remove"}.get(http)
    if on_item:
        return {"GET": "get", "PUT": "update", "DELETE": "delete"}.get(http)
    return {"GET": "list", "POST": "create", "PUT": "update", "DELETE": "delete_all"}.get(http)


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def arguments(path: str) -> tuple[str, ...]:
    """Python names for the variables of `path` after `{realm}`, stable across versions.

    A variable is named, in order of preference: by ARGUMENTS for the literal before it; for
    `{id}`, by that literal's namespace word made singular + `_id` (`mappers/{id}` ->
    `mapper_id`); else by its own name in snake_case (`{flowAlias}` -> `flow_alias`). A name
    already taken in the same path gets the prefix `target_` (the second client of
    `clients/{client-uuid}/roles/{role-name}/composites/clients/{targetClientUuid}`).
    """
    segments = path.strip("/").split("/")
    if segments[:3] == [*REALMS, REALM]:
        segments = segments[3:]
    names: list[str] = []
    parent, literal, word = "", "", ""
    for segment in segments:
        if not segment.startswith("{"):
            parent, literal = literal, segment
            if (parent, literal) in NAMES or ("*", literal) in NAMES:
                word = _lookup(NAMES, parent, literal) or word
            else:
                word = snake(literal)
            continue
        name = _lookup(ARGUMENTS, parent, literal)
        if name is None:
            name = f"{_singular(word)}_id" if segment == "{id}" else snake(segment[1:-1])
        while name in names:
            name = f"target_{name}"
        names.append(name)
    return tuple(names)


def name_operation(operation: AdminOperation) -> OperationName:
    """The name of one operation (see the module docstring for the rule)."""
    http = operation.method.upper()
    if http not in _METHODS:
        raise NamingError(f"{operation.method} is not an HTTP method")
    segments = shape(operation.path)
    if segments == REALMS:
        method = {"GET": "list", "POST": "create"}.get(http)
        if method is None:
            raise NamingError(f"no name for {http} {operation.path}")
        return OperationName(("realms",), method, realm_bound=False)
    if segments[:3] != (*REALMS, VAR) or not operation.path.startswith("/admin/realms/{"):
        raise NamingError(f"{operation.path} is not under /admin/realms/{REALM}")
    rest = segments[3:]
    override = OVERRIDES.get((http, rest))
    if override is not None:
        *namespace, method = override.split(".")
        return OperationName(tuple(namespace), method, True, arguments(operation.path))
    literals: list[tuple[str, str]] = []  # (parent literal, literal)
    parent = ""
    for segment in rest:
        if segment != VAR:
            literals.append((parent, segment))
            parent = segment
    if not literals:  # the realm itself
        method_name = _method_for("singleton", http, on_item=False)
        if method_name is None:
            raise NamingError(f"no name for {http} {operation.path}")
        return OperationName((), method_name, True, arguments(operation.path))
    leaf_parent, leaf = literals[-1]
    action = _lookup(ACTIONS, leaf_parent, leaf)
    if action is not None:
        return OperationName(_namespace(literals[:-1]), action, True, arguments(operation.path))
    kind: Kind = _lookup(KINDS, leaf_parent, leaf) or "collection"
    on_item = rest[-1] == VAR
    method_name = _method_for(kind, http, on_item)
    if method_name is None:
        raise NamingError(f"no name for {http} {operation.path} (a {kind}); add an override")
    return OperationName(_namespace(literals), method_name, True, arguments(operation.path))


def name_all(operations: Iterable[AdminOperation]) -> dict[AdminOperation, OperationName]:
    """Name every operation of one document; refuse two operations with one name."""
    names: dict[AdminOperation, OperationName] = {}
    owner: dict[tuple[bool, str], AdminOperation] = {}
    for operation in operations:
        name = name_operation(operation)
        key = (name.realm_bound, name.qualified)
        if key in owner:
            first = owner[key]
            raise NamingError(
                f"{name.qualified} names both {first.method.upper()} {first.path} and "
                f"{operation.method.upper()} {operation.path}"
            )
        owner[key] = operation
        names[operation] = name
    # A method and a namespace must not share an attribute: `x.count()` next to `x.count.y()`.
    namespaces = {
        (n.realm_bound, ".".join(n.namespace[: i + 1]))
        for n in names.values()
        for i in range(len(n.namespace))
    }
    for name in names.values():
        if (name.realm_bound, name.qualified) in namespaces:
            raise NamingError(f"{name.qualified} is both a method and a namespace")
    return names


def operations_of(document: Mapping[str, Any]) -> list[AdminOperation]:
    """The AdminOperations of an OpenAPI document (raw or mended), in path order."""
    found = []
    for path in sorted(document.get("paths", {})):
        item = document["paths"][path]
        for method in ("get", "put", "post", "delete", "patch", "head", "options"):
            if method in item:
                operation = item[method]
                tags = operation.get("tags") or [None]
                found.append(
                    AdminOperation(method.upper(), path, tags[0], operation.get("summary"))
                )
    return found
