"""Mends: the one patch step between Keycloak's raw admin document and what the generator reads.

spec/keycloak/<version>/admin-openapi.json is Keycloak's document as its build writes it
(generator/admin_capture.py). It has known defects; `mend()` fixes each of them with a named,
deterministic rewrite and reports where it changed the document. The raw capture stays in the
repository untouched, so a recapture diff shows only what Keycloak changed, and the mended
document is always derived from it (`python -m generator mend-admin` writes it out to look at).

Every mend is idempotent: mending a mended document changes nothing.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.admin_capture import (
    HTTP_METHODS,
    SNAPSHOT_DIR,
    AdminCaptureError,
    load_raw,
    render,
)

# Keycloak reads these request bodies as raw text (JAX-RS @Consumes text/plain). The media
# type keeps its charset parameter so that the generator can tell such a body from a text/plain
# *response*, and hand it to openapi-python-client as raw bytes (see OPENAPI_PYTHON_CLIENT).
TEXT_BODY = "text/plain; charset=utf-8"
JSON = "application/json"
SECURITY_SCHEME = "bearerAuth"
SERVER_VARIABLE = "keycloakUrl"
# What the generator must pass to openapi-python-client (its config file, as a mapping) so
# that the raw text bodies are generated: treated like application/octet-stream, sent with
# the Content-Type TEXT_BODY. Responses in text/plain stay text.
OPENAPI_PYTHON_CLIENT: dict[str, Any] = {
    "content_type_overrides": {TEXT_BODY: "application/octet-stream"}
}
JSON_OBJECT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": True,
    "description": "Configuration settings as a JSON object",
}


class MendError(ValueError):
    """The document has a defect a mend recognizes but cannot fix safely."""


@dataclass(frozen=True)
class Mend:
    """One named rewrite: what Keycloak gets wrong and how we fix it."""

    name: str
    defect: str
    fix: str
    apply: Callable[[dict[str, Any]], list[str]] = field(repr=False)


@dataclass(frozen=True)
class MendedDocument:
    document: dict[str, Any]
    # (mend name, places it changed), in mend order; an empty list when nothing needed it.
    applied: list[tuple[str, list[str]]]

    def report(self) -> str:
        lines = []
        for name, places in self.applied:
            lines.append(f"{name}: {len(places)} change{'s' if len(places) != 1 else ''}")
            lines += [f"  {place}" for place in places]
        return "\n".join(lines) + "\n"


# -- walking the document -------------------------------------------------------------------


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in sorted(document.get("paths", {})):
        item = document["paths"][path]
        for method in HTTP_METHODS:
            if method in item:
                yield method, path, item[method]


def _parameters(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, parameter) of every inline parameter, path-level ones included."""
    for path in sorted(document.get("paths", {})):
        item = document["paths"][path]
        for parameter in item.get("parameters", []):
            yield f"{path} parameter {parameter.get('name')}", parameter
        for method in HTTP_METHODS:
            for parameter in item.get(method, {}).get("parameters", []):
                yield f"{method.upper()} {path} parameter {parameter.get('name')}", parameter
    for name, parameter in sorted(document.get("components", {}).get("parameters", {}).items()):
        yield f"components parameter {name}", parameter


def _schemas(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every schema object reachable without following $ref."""

    def walk(where: str, schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        if not isinstance(schema, dict):
            return
        yield where, schema
        for name, sub in sorted(schema.get("properties", {}).items()):
            yield from walk(f"{where}.{name}", sub)
        for key in ("items", "additionalProperties", "not"):
            if isinstance(schema.get(key), dict):
                yield from walk(f"{where}[{key}]", schema[key])
        for key in ("allOf", "anyOf", "oneOf"):
            for index, sub in enumerate(schema.get(key, [])):
                yield from walk(f"{where}[{key}{index}]", sub)

    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        yield from walk(f"schema {name}", schema)
    for where, parameter in _parameters(document):
        yield from walk(where, parameter.get("schema"))


# -- the mends ------------------------------------------------------------------------------


def _typed(value: str, kind: str, where: str) -> bool | int | float:
    if kind == "boolean":
        if value in ("true", "false"):
            return value == "true"
    else:
        try:
            return int(value) if kind == "integer" else float(value)
        except ValueError:
            pass
    raise MendError(f"{where}: default {value!r} is not a {kind}")


def mend_typed_defaults(document: dict[str, Any]) -> list[str]:
    changed = []
    for where, schema in _schemas(document):
        kind, default = schema.get("type"), schema.get("default")
        if kind in ("integer", "number", "boolean") and isinstance(default, str):
            schema["default"] = _typed(default, kind, where)
            changed.append(f"{where}: default {default!r} -> {schema['default']!r}")
    return changed


def mend_bearer_security(document: dict[str, Any]) -> list[str]:
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    changed = []
    if SECURITY_SCHEME not in schemes:
        schemes[SECURITY_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token of a user or service account with admin roles "
            "(realm-management client roles, or the master realm's admin role).",
        }
        changed.append(f"components.securitySchemes.{SECURITY_SCHEME} added")
    if "security" not in document:
        document["security"] = [{SECURITY_SCHEME: []}]
        changed.append(f"security: every operation needs {SECURITY_SCHEME}")
    return changed


def mend_servers(document: dict[str, Any]) -> list[str]:
    if document.get("servers"):
        return []
    document["servers"] = [
        {
            "url": f"{{{SERVER_VARIABLE}}}",
            "description": "The Keycloak server; the admin paths start at its root (/admin/...).",
            "variables": {
                SERVER_VARIABLE: {
                    "default": "http://localhost:8080",
                    "description": "Keycloak's base URL, with its context path if it has one",
                }
            },
        }
    ]
    return [f"servers: {{{SERVER_VARIABLE}}} added"]


def _is_plain_string(media: Any) -> bool:
    schema = media.get("schema") if isinstance(media, dict) else None
    return isinstance(schema, dict) and schema.get("type") == "string" and "format" not in schema


def mend_text_bodies(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if "text/plain" not in content or not _is_plain_string(content["text/plain"]):
            continue
        if not all(_is_plain_string(media) for media in content.values()):
            raise MendError(f"{method.upper()} {path}: text/plain body next to structured ones")
        others = sorted(set(content) - {"text/plain"})
        operation["requestBody"]["content"] = {
            TEXT_BODY: {"schema": {"type": "string", "format": "binary"}}
        }
        also = f" (dropped {', '.join(others)}: the same raw text)" if others else ""
        changed.append(f"{method.upper()} {path}: text/plain body -> raw {TEXT_BODY}{also}")
    return changed


def _json_only(content: dict[str, Any]) -> list[str]:
    """Drop the alternatives of a JSON body that carry the same schema; return what went."""
    if JSON not in content or len(content) == 1:
        return []
    same = [t for t in sorted(content) if t != JSON and content[t] == content[JSON]]
    for media_type in same:
        del content[media_type]
    return same


def mend_json_alternatives(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        where = f"{method.upper()} {path}"
        dropped = _json_only(operation.get("requestBody", {}).get("content", {}))
        if dropped:
            changed.append(f"{where} request: dropped {', '.join(dropped)}")
        for status in sorted(operation.get("responses", {})):
            dropped = _json_only(operation["responses"][status].get("content", {}))
            if dropped:
                changed.append(f"{where} {status}: dropped {', '.join(dropped)}")
    return changed


def mend_wildcard_responses(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        for status in sorted(operation.get("responses", {})):
            content = operation["responses"][status].get("content", {})
            if "*/*" in content and JSON not in content:
                content[JSON] = content.pop("*/*")
                changed.append(f"{method.upper()} {path} {status}: */* -> {JSON}")
    return changed


def mend_itemless_arrays(document: dict[str, Any]) -> list[str]:
    changed = []
    for where, schema in _schemas(document):
        if schema.get("type") == "array" and "items" not in schema:
            schema.clear()
            schema.update(JSON_OBJECT)
            changed.append(f"{where}: array without items -> JSON object")
    return changed


def _camel(name: str) -> str:
    head, *rest = re.split(r"[-_]", name)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def mend_duplicate_path_variables(document: dict[str, Any]) -> list[str]:
    changed = []
    paths = document.get("paths", {})
    for path in sorted(paths):
        names = re.findall(r"\{([^}]+)\}", path)
        repeated = sorted({n for n in names if names.count(n) > 1})
        if not repeated:
            continue
        new_path, item = path, paths[path]
        for name in repeated:
            target = "target" + _camel(name)[:1].upper() + _camel(name)[1:]
            head, _, tail = new_path.rpartition(f"{{{name}}}")
            new_path = f"{head}{{{target}}}{tail}"
            for method in HTTP_METHODS:
                if method in item:
                    item[method].setdefault("parameters", []).append(
                        {
                            "in": "path",
                            "name": target,
                            "required": True,
                            "schema": {"type": "string"},
                            "description": f"the second {{{name}}} of the path",
                        }
                    )
        if new_path in paths:
            raise MendError(f"{path}: renaming its variables gives {new_path}, which exists")
        paths[new_path] = paths.pop(path)
        changed.append(f"{path} -> {new_path}")
    return changed


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


# GET operations whose JSON answer Keycloak builds by hand (a JAX-RS Response), so the scanner
# declares a 200 without content: (path shape after /admin/realms/{realm}) -> schema of the
# answer, as Keycloak 25 and later declare it where they do. Answers whose format depends on a
# parameter (installation/providers/{id}, identity-provider/instances/{alias}/export) stay
# untyped.
DECLARED_RESPONSES: dict[tuple[str, ...], dict[str, Any]] = {
    ("authentication", "executions", "{}"): _ref("AuthenticationExecutionRepresentation"),
    ("authentication", "flows", "{}", "executions"): {
        "type": "array",
        "items": _ref("AuthenticationExecutionInfoRepresentation"),
    },
    ("clients", "{}", "authz", "resource-server", "resource", "{}", "attributes"): {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}


def mend_untyped_responses(document: dict[str, Any]) -> list[str]:
    changed = []
    schemas = document.get("components", {}).get("schemas", {})
    for method, path, operation in _operations(document):
        segments = tuple("{}" if s.startswith("{") else s for s in path.strip("/").split("/"))
        schema = DECLARED_RESPONSES.get(segments[3:]) if method == "get" else None
        ok = operation.get("responses", {}).get("200")
        if schema is None or ok is None or ok.get("content"):
            continue
        ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
        if ref and ref.rsplit("/", 1)[-1] not in schemas:
            raise MendError(f"GET {path}: {ref} is not in this document")
        ok["content"] = {JSON: {"schema": copy.deepcopy(schema)}}
        changed.append(f"GET {path} 200: declared {JSON}")
    return changed


# POST .../authz/resource-server/<leaf> → the representation Keycloak answers with 201 Created
# (its services build `Response.status(CREATED).entity(representation)`, no Location header).
AUTHZ_CREATED = {
    "scope": "ScopeRepresentation",
    "policy": "PolicyRepresentation",
    "permission": "PolicyRepresentation",
}


# POST operations declared 200 OK that answer 201 Created with a Location header and no body.
CREATED_WITH_LOCATION = ("/identity-provider/instances/{alias}/mappers", "/{realm}/components")
# POST operations whose 201 answer is another representation than the one declared.
CREATED_ANSWERS = {
    "/clients-initial-access": (
        "ClientInitialAccessCreatePresentation",
        "ClientInitialAccessPresentation",
    ),
}


def mend_authz_created(document: dict[str, Any]) -> list[str]:
    changed = []
    schemas = document.get("components", {}).get("schemas", {})
    for method, path, operation in _operations(document):
        responses = operation.get("responses", {})
        located = method == "post" and path.endswith(CREATED_WITH_LOCATION)
        if located and "200" in responses and not responses["200"].get("content"):
            del responses["200"]
            responses.pop("204", None)
            responses["201"] = {"description": "Created (the Location header names it)"}
            changed.append(f"POST {path}: 201 Created")
            continue
        answer = next((v for k, v in CREATED_ANSWERS.items() if path.endswith(k)), None)
        media = responses.get("201", {}).get("content", {}).get(JSON, {})
        if method == "post" and answer and media.get("schema") == _ref(answer[0]):
            if answer[1] in schemas:
                media["schema"] = _ref(answer[1])
                changed.append(f"POST {path}: 201 answers {answer[1]}")
            continue
        leaf = path.rsplit("/", 1)[-1]
        if method != "post" or not path.endswith(f"/authz/resource-server/{leaf}"):
            continue
        name = AUTHZ_CREATED.get(leaf)
        responses = operation.get("responses", {})
        if name is None or name not in schemas:
            continue
        if responses.get("201", {}).get("content"):
            continue
        responses.pop("200", None)
        responses["201"] = {
            "description": "Created",
            "content": {JSON: {"schema": _ref(name)}},
        }
        changed.append(f"POST {path}: 201 answers {name}")
    return changed


def mend_bodyless_successes(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        responses = operation.get("responses", {})
        ok = responses.get("200")
        if method == "get" or ok is None or ok.get("content") or "204" in responses:
            continue
        responses["204"] = {"description": "No Content"}
        changed.append(f"{method.upper()} {path}: 204 declared next to a bodyless 200")
    return changed


# GET operations declared to answer an array that answer one object (a search by exact name).
SINGLE_ANSWERS = ("/authz/resource-server/scope/search",)


def mend_single_answers(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        if method != "get" or not path.endswith(SINGLE_ANSWERS):
            continue
        media = operation.get("responses", {}).get("200", {}).get("content", {}).get(JSON)
        if media is None or media.get("schema", {}).get("type") != "array":
            continue
        media["schema"] = media["schema"]["items"]
        changed.append(f"GET {path} 200: one object")
    return changed


# GET operations that answer a JSON array of what they are declared to answer one of.
LIST_ANSWERS = ("/workflows", "/workflows/scheduled/{resource-id}")


def mend_list_answers(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        if method != "get" or not path.endswith(LIST_ANSWERS) or "/{realm}/workflows" not in path:
            continue
        media = operation.get("responses", {}).get("200", {}).get("content", {}).get(JSON)
        ref = (media or {}).get("schema", {}).get("$ref", "")
        if media is None or not ref.endswith("/WorkflowRepresentation"):
            continue
        media["schema"] = {"type": "array", "items": media["schema"]}
        changed.append(f"GET {path} 200: an array")
    return changed


def mend_saml_example(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        if method != "get" or not path.endswith("/evaluate-scopes/generate-example-saml-response"):
            continue
        media = operation.get("responses", {}).get("200", {}).get("content", {}).get(JSON)
        if media is not None and "$ref" in media.get("schema", {}):
            media["schema"] = {"type": "string", "description": "The SAML response (XML)"}
            changed.append(f"GET {path} 200: a JSON string")
    return changed


def mend_empty_exports(document: dict[str, Any]) -> list[str]:
    changed = []
    for method, path, operation in _operations(document):
        responses = operation.get("responses", {})
        export = method == "get" and path.endswith("/identity-provider/instances/{alias}/export")
        if export and "204" not in responses:
            responses["204"] = {"description": "The provider has nothing to export"}
            changed.append(f"GET {path}: 204 declared")
    return changed


MENDS: tuple[Mend, ...] = (
    Mend(
        "typed-parameter-defaults",
        "integer and boolean parameters (first, max, briefRepresentation, ...) carry their "
        "defaults as strings ('100', 'true'), which breaks OpenAPI validation",
        "each such default becomes the integer, number or boolean it spells; a default that "
        "spells no such value stops the mend with an error",
        mend_typed_defaults,
    ),
    Mend(
        "itemless-arrays",
        "Keycloak 25 and older: free-form configuration members (Jackson's JsonNode, which "
        "the scanner takes for an Iterable) are arrays without items, an invalid schema",
        "declare them free-form JSON objects, as Keycloak 26 documents them",
        mend_itemless_arrays,
    ),
    Mend(
        "duplicate-path-variables",
        "Keycloak 26.5 and older: GET .../clients/{client-uuid}/roles/{role-name}/composites/"
        "clients/{client-uuid} names two different clients with one variable (the server "
        "reads the last one)",
        "rename the last occurrence `target` + its camel-cased name ({targetClientUuid}, as "
        "Keycloak 26.7 names it) and declare that path parameter",
        mend_duplicate_path_variables,
    ),
    Mend(
        "bearer-security",
        "no security scheme, although every admin operation needs a bearer access token "
        "(Keycloak issue 36903)",
        f"an HTTP bearer scheme `{SECURITY_SCHEME}` (JWT), required by every operation",
        mend_bearer_security,
    ),
    Mend(
        "server-url",
        "no servers",
        f"one server `{{{SERVER_VARIABLE}}}`, Keycloak's base URL (default "
        "http://localhost:8080); the paths already start with /admin",
        mend_servers,
    ),
    Mend(
        "raw-text-bodies",
        "request bodies Keycloak reads as raw text/plain (a localization text, a credential "
        "label, a client description in JSON, XML or text) are plain strings, which "
        "openapi-python-client cannot send",
        f"one raw body of media type `{TEXT_BODY}` (a binary string: sent as is); "
        "alternatives carrying the same raw text are dropped",
        mend_text_bodies,
    ),
    Mend(
        "json-only-alternatives",
        "workflow representations are offered as application/yaml next to application/json "
        "with the same schema; without an Accept header Keycloak may answer YAML",
        "keep application/json only where another media type carries the same schema",
        mend_json_alternatives,
    ),
    Mend(
        "untyped-json-responses",
        "a few GET operations answer JSON built by hand, so the scanner declares no content "
        "(24: one execution, a flow's executions; all: a resource's attributes)",
        "declare the JSON they answer, as newer Keycloak versions do where they declare it",
        mend_untyped_responses,
    ),
    Mend(
        "created-statuses",
        "creating an authorization scope is declared 200 OK without a body, a policy or a "
        "permission 201 without a body; Keycloak answers 201 Created with the created "
        "representation and no Location header. Creating an identity provider mapper or a "
        "component is declared 200 OK; Keycloak answers 201 Created with a Location header. "
        "Creating an initial access token answers ClientInitialAccessPresentation (with the "
        "token), not the ClientInitialAccessCreatePresentation declared",
        "declare 201 with ScopeRepresentation / PolicyRepresentation, and 201 (no body) for "
        "the mapper (checked live in tests/integration/admin)",
        mend_authz_created,
    ),
    Mend(
        "workflow-lists",
        "Keycloak 26.7: listing workflows (all, or those scheduled for a resource) is declared "
        "to answer one WorkflowRepresentation; Keycloak answers an array of them",
        "declare an array of WorkflowRepresentation (checked live in tests/integration/admin)",
        mend_list_answers,
    ),
    Mend(
        "bodyless-successes",
        "writes declared 200 OK without a body answer 204 No Content (updating an "
        "authorization scope, a component, the client policies and profiles, ...)",
        "declare 204 next to every bodyless 200 of a PUT, POST or DELETE",
        mend_bodyless_successes,
    ),
    Mend(
        "single-search-answers",
        "searching an authorization scope by name is declared to answer an array; Keycloak "
        "answers the one scope of that name (204 when there is none), as the resource and "
        "policy searches are declared",
        "declare one ScopeRepresentation",
        mend_single_answers,
    ),
    Mend(
        "saml-example-string",
        "Keycloak 26: the example SAML response of a client is declared an object "
        "(SamlExampleResponse); Keycloak answers the XML as one JSON string",
        "declare a JSON string",
        mend_saml_example,
    ),
    Mend(
        "empty-identity-provider-exports",
        "exporting an identity provider whose type has no export format (OIDC) answers "
        "204 No Content, which is not declared",
        "declare 204 next to 200",
        mend_empty_exports,
    ),
    Mend(
        "json-wildcard-responses",
        "responses declared as */* (no @Produces upstream) although Keycloak answers JSON",
        "declare them application/json",
        mend_wildcard_responses,
    ),
)


def mend(raw: dict[str, Any]) -> MendedDocument:
    """A mended deep copy of `raw`, and where each mend changed it."""
    document = copy.deepcopy(raw)
    applied = [(m.name, m.apply(document)) for m in MENDS]
    return MendedDocument(document, applied)


def mended(version: str, snapshot_dir: Path = SNAPSHOT_DIR) -> dict[str, Any]:
    """The mended admin document of a captured version: what the generator reads."""
    return mend(load_raw(version, snapshot_dir)).document


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator mend-admin",
        description="Apply the mends to a captured admin document and say what each changed.",
    )
    parser.add_argument("--keycloak-version", required=True, help="e.g. 26.7.3")
    parser.add_argument("--output", type=Path, default=None, help="write the mended document")
    args = parser.parse_args(argv)
    try:
        result = mend(load_raw(args.keycloak_version))
    except (AdminCaptureError, MendError) as exc:
        print(f"mend-admin: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(result.report())
    if args.output:
        args.output.write_text(render(result.document), encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
