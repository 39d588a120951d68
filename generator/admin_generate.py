"""Keycloak's admin API as a second document for the generic generator: data, not templates.

The mended admin document (generator/admin_mends.py) says everything OpenAPI can; what it
cannot say is added here as the same `x-` extensions spec/openapi/ uses, then the generic
pipeline (operations.py, the templates, the runtime) renders `keycloak_sdk.admin`:

- `x-sdk-method`: the name the naming rule (generator/admin_naming.py) gives, dotted with its
  namespace (`users.role_mappings.realm.add`); `operationId` is the same name with `_`.
- `x-python-name` of each path variable: the rule's stable argument names (`client_uuid`).
- `x-from-client: realm_name` on `{realm}`: the realm is bound once, `admin.realm("acme")`.
- `x-client-authentication: true` instead of the bearer scheme: the admin client applies its
  own renewed token; `x-error-style: status`: typed 400/401/403/404/409 errors.
- `x-paging` on GET lists with `first`/`max`: an `iter_` method walks every page.
- `x-created-id` on a `201 Created` without a body: the method returns the new id (Location).

Operations on the realm itself (`GET /admin/realms/{realm}`, rule namespace `()`) join the
`realms` namespace: `admin.realm("acme").realms.get()`.
"""

from __future__ import annotations

import ast
import copy
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from generator import admin_mends, admin_naming, spec

PACKAGE = "keycloak_sdk.admin"
MODELS_MODULE = f"{PACKAGE}.models"
SYNC_CLIENT = "KeycloakAdmin"
ASYNC_CLIENT = "AsyncKeycloakAdmin"
REALM_ATTRIBUTE = "realm_name"
ROOT_NAMESPACE = ("realms",)
PAGING = {"offset": "first", "limit": "max"}
# Fields of the admin representations that carry secrets, kept out of every repr (with the
# token and password fields the core already hides): client secrets, credential values and
# their stored data, registration and initial-access tokens, key store passwords.
SENSITIVE_FIELDS = (
    "credential_data",
    "key_password",
    "private_key",
    "registration_access_token",
    "salt",
    "secret",
    "secret_data",
    "store_password",
    "token",
    "value",
)


def _namespace(name: admin_naming.OperationName) -> tuple[str, ...]:
    return name.namespace or ROOT_NAMESPACE


def annotate(document: dict[str, Any]) -> dict[str, Any]:
    """The mended admin document with the extensions the generic generator reads."""
    doc = copy.deepcopy(document)
    names = admin_naming.name_all(admin_naming.operations_of(doc))
    by_key = {(op.method.lower(), op.path): name for op, name in names.items()}
    tags: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for path, item in doc["paths"].items():
        shared = item.pop("parameters", [])
        for method, operation in item.items():
            name = by_key[(method, path)]
            namespace = _namespace(name)
            qualified = ".".join((*namespace, name.method))
            operation["operationId"] = qualified.replace(".", "_")
            operation["x-sdk-method"] = qualified
            operation.pop("security", None)
            operation["x-client-authentication"] = True
            operation["x-error-style"] = "status"
            merged = {(p["name"], p["in"]): p for p in shared}
            merged.update({(p["name"], p["in"]): p for p in operation.get("parameters", [])})
            parameters = [copy.deepcopy(p) for p in merged.values()]
            variables = [p for p in parameters if p["in"] == "path" and p["name"] != "realm"]
            order = admin_naming.arguments(path)
            by_name = {p["name"]: p for p in variables}
            segments = [s[1:-1] for s in path.split("/") if s.startswith("{") and s != "{realm}"]
            for wire, python in zip(segments, order, strict=True):
                by_name[wire]["x-python-name"] = python
            for p in parameters:
                if p["in"] == "path" and p["name"] == "realm":
                    p["x-from-client"] = REALM_ATTRIBUTE
            # Path variables in path order: they are the positional arguments, and the order
            # of the document's parameter list is not stable across versions.
            position = {name: i for i, name in enumerate(["realm", *segments])}
            parameters.sort(key=lambda p: (p["in"] != "path", position.get(p["name"], 0)))
            operation["parameters"] = parameters
            query = {p["name"] for p in parameters if p["in"] == "query"}
            schema = (
                operation.get("responses", {})
                .get("200", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            responses = operation.get("responses", {})
            if "201" in responses and not responses["201"].get("content"):
                operation["x-created-id"] = True
            if method == "get" and set(PAGING.values()) <= query and schema.get("type") == "array":
                operation["x-paging"] = dict(PAGING)
            for depth in range(1, len(namespace) + 1):
                tags[namespace[:depth]].update(operation.get("tags") or ["Untagged"])
    doc["tags"] = [
        {
            "name": ".".join(path),
            "x-sdk-namespace": ".".join(path),
            # The Keycloak tag most of its operations carry, e.g. "Users".
            "description": f"{min(counts, key=lambda t: (-counts[t], t))}.",
        }
        for path, counts in sorted(tags.items())
    ]
    # Keycloak's summaries use typographic apostrophes; docstrings keep to ASCII quotes.
    ascii_quotes: dict[str, Any] = json.loads(json.dumps(doc).replace("\\u2019", "'"))
    return ascii_quotes


def rename_taken_schemas(document: dict[str, Any], taken: set[str]) -> dict[str, str]:
    """Rename, in place, the schemas whose names the core or the extensions already use.

    Keycloak's admin document names a few nested parts of its example tokens with bare words
    (`Access`, `Authorization`, `Confirmation`, `Permission`) that are also public classes of
    `keycloak_sdk` or `keycloak_sdk.extensions`. The rule: such a schema takes the name of the
    first schema (by name) that references it as a prefix (`AccessToken` + `Access`), after
    that schema's own renaming (`AccessTokenAuthorization` + `Permission`); every `$ref`
    follows. Returns old name → new name, for the deprecated aliases. A name still taken, or
    a schema nothing references, stops generation with a one-line error.
    """
    schemas: dict[str, Any] = document["components"]["schemas"]
    renamed: dict[str, str] = {}
    for name in sorted(n for n in schemas if n in taken):
        ref = json.dumps(f"#/components/schemas/{name}")
        referrers = sorted(
            other
            for other, schema in schemas.items()
            if other != name and ref in json.dumps(schema)
        )
        if not referrers:
            raise spec.SpecError(f"admin schema {name!r} is a name the SDK already defines")
        new = renamed.get(referrers[0], referrers[0]) + name
        if new in taken or new in schemas:
            raise spec.SpecError(f"admin schema {name!r}: its new name {new!r} is taken too")
        renamed[name] = new
    if renamed:
        text = json.dumps(document)
        for old, new in renamed.items():
            text = text.replace(
                json.dumps(f"#/components/schemas/{old}"), json.dumps(f"#/components/schemas/{new}")
            )
        document.clear()
        document.update(json.loads(text))
        schemas = document["components"]["schemas"]
        document["components"]["schemas"] = {renamed.get(k, k): v for k, v in schemas.items()}
    return renamed


def public_class_names(*roots: Path) -> set[str]:
    """Public class names defined at the top level of the modules under `roots`."""
    names: set[str] = set()
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names |= {
                node.name
                for node in tree.body
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
            }
    return names


def document(version: str) -> dict[str, Any]:
    """The annotated admin document of a captured version."""
    return annotate(admin_mends.mended(version))
