"""What changes in Keycloak's Admin REST API between two captured versions, in plain words.

`make spec-diff FROM=a TO=b` prints this after the discovery diff (generator/spec_diff.py). It
compares the *mended* documents (generator/admin_mends.py), which are what the SDK is generated
from, so a mend never shows up as a change. Operations are matched by HTTP method and path
shape (variable names aside) and named by the SDK's naming rule (generator/admin_naming.py);
for each operation present in both versions it reports parameters added, removed or changed,
request body and response changes, and deprecation. Models (components.schemas) are compared
property by property.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.admin_capture import HTTP_METHODS
from generator.admin_naming import (
    AdminOperation,
    NamingError,
    name_operation,
    operations_of,
    shape,
)


@dataclass(frozen=True)
class OperationChange:
    name: str
    method: str
    path: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AdminDiff:
    from_version: str
    to_version: str
    operations_before: int
    operations_after: int
    added: list[OperationChange]
    removed: list[OperationChange]
    changed: list[OperationChange]
    models: list[str]

    @property
    def count(self) -> int:
        return (
            len(self.added)
            + len(self.removed)
            + sum(len(c.lines) for c in self.changed)
            + len(self.models)
        )


def describe(schema: Any) -> str:
    """A schema in a few words: `UserRepresentation`, `list of string`, `integer (int32)`."""
    if not isinstance(schema, Mapping) or not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kind = schema.get("type")
    if kind == "array":
        return f"list of {describe(schema.get('items'))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
        return f"map of {describe(schema['additionalProperties'])}"
    for combiner in ("oneOf", "anyOf", "allOf"):
        if combiner in schema:
            return f" {combiner} ".join(describe(s) for s in schema[combiner])
    text = str(kind or "object")
    if schema.get("format"):
        text += f" ({schema['format']})"
    if schema.get("enum"):
        text += " one of " + ", ".join(map(str, schema["enum"]))
    return text


def _parameters(path_item: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters keyed by where they go: `query max`, `path #2` (path ones by position)."""
    merged: dict[tuple[str, str], Any] = {}
    for parameter in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
        merged[parameter.get("in", "?"), parameter.get("name", "?")] = parameter
    keyed: dict[str, Any] = {}
    path_names = re.findall(r"\{([^}]+)\}", str(path_item.get("__path__", "")))
    for (where, name), parameter in merged.items():
        if where == "path" and name in path_names:
            keyed[f"path #{path_names.index(name) + 1}"] = parameter
        else:
            keyed[f"{where} {name}"] = parameter
    return keyed


def _parameter_words(parameter: Mapping[str, Any]) -> str:
    required = "required" if parameter.get("required") else "optional"
    words = f"{describe(parameter.get('schema'))}, {required}"
    default = (parameter.get("schema") or {}).get("default")
    if default is not None:
        words += f", default {json.dumps(default)}"
    return words


def _diff_parameter(before: Mapping[str, Any], after: Mapping[str, Any], to: str) -> list[str]:
    what = f"{after['in']} parameter `{after['name']}`"
    lines = []
    if before.get("name") != after.get("name"):
        lines.append(
            f"Keycloak {to} renames path variable {{{before['name']}}} to {{{after['name']}}}"
        )
    old_schema, new_schema = before.get("schema") or {}, after.get("schema") or {}
    if describe(old_schema) != describe(new_schema):
        lines.append(
            f"Keycloak {to} changes the type of {what} from {describe(old_schema)} "
            f"to {describe(new_schema)}"
        )
    if bool(before.get("required")) != bool(after.get("required")):
        state = "required" if after.get("required") else "optional"
        lines.append(f"Keycloak {to} makes {what} {state}")
    old_default, new_default = old_schema.get("default"), new_schema.get("default")
    if old_default != new_default:
        if new_default is None:
            lines.append(f"Keycloak {to} drops the default of {what}")
        else:
            lines.append(f"Keycloak {to} sets the default of {what} to {json.dumps(new_default)}")
    if bool(before.get("deprecated")) != bool(after.get("deprecated")):
        state = "deprecates" if after.get("deprecated") else "undeprecates"
        lines.append(f"Keycloak {to} {state} {what}")
    return lines


def _diff_parameters(old: dict[str, Any], new: dict[str, Any], to: str) -> list[str]:
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            added = new[key]
            lines.append(
                f"Keycloak {to} adds {added['in']} parameter `{added['name']}` "
                f"({_parameter_words(added)})"
            )
        elif key not in new:
            lines.append(f"Keycloak {to} removes {old[key]['in']} parameter `{old[key]['name']}`")
        else:
            lines += _diff_parameter(old[key], new[key], to)
    return lines


def _content(container: Mapping[str, Any] | None) -> dict[str, str]:
    content = (container or {}).get("content") or {}
    return {media: describe(body.get("schema")) for media, body in sorted(content.items())}


def _words(content: Mapping[str, str]) -> str:
    return ", ".join(f"{schema} as {media}" for media, schema in content.items()) or "no body"


def _diff_operation(
    old: Mapping[str, Any], new: Mapping[str, Any], old_item: Any, new_item: Any, to: str
) -> list[str]:
    lines = _diff_parameters(_parameters(old_item, old), _parameters(new_item, new), to)
    body_before, body_after = _content(old.get("requestBody")), _content(new.get("requestBody"))
    if body_before != body_after:
        lines.append(
            f"Keycloak {to} changes the request body from {_words(body_before)} "
            f"to {_words(body_after)}"
        )
    responses_before, responses_after = old.get("responses", {}), new.get("responses", {})
    for status in sorted(set(responses_before) | set(responses_after)):
        if status not in responses_before:
            lines.append(
                f"Keycloak {to} adds response {status} "
                f"({_words(_content(responses_after[status]))})"
            )
        elif status not in responses_after:
            lines.append(f"Keycloak {to} removes response {status}")
        else:
            before = _content(responses_before[status])
            after = _content(responses_after[status])
            if before != after:
                lines.append(
                    f"Keycloak {to} changes response {status} from {_words(before)} "
                    f"to {_words(after)}"
                )
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        lines.append(
            f"Keycloak {to} deprecates it"
            if new.get("deprecated")
            else f"Keycloak {to} no longer deprecates it"
        )
    return lines


def _diff_models(old: Mapping[str, Any], new: Mapping[str, Any], to: str) -> list[str]:
    old_models = old.get("components", {}).get("schemas", {})
    new_models = new.get("components", {}).get("schemas", {})
    lines = []
    for name in sorted(set(old_models) | set(new_models)):
        if name not in old_models:
            lines.append(f"Keycloak {to} adds model {name}")
            continue
        if name not in new_models:
            lines.append(f"Keycloak {to} removes model {name}")
            continue
        before = old_models[name].get("properties", {})
        after = new_models[name].get("properties", {})
        for prop in sorted(set(before) | set(after)):
            if prop not in before:
                lines.append(
                    f"Keycloak {to} adds property `{prop}` ({describe(after[prop])}) to {name}"
                )
            elif prop not in after:
                lines.append(f"Keycloak {to} removes property `{prop}` from {name}")
            elif describe(before[prop]) != describe(after[prop]):
                lines.append(
                    f"Keycloak {to} changes property `{prop}` of {name} from "
                    f"{describe(before[prop])} to {describe(after[prop])}"
                )
            elif bool(before[prop].get("deprecated")) != bool(after[prop].get("deprecated")):
                state = "deprecates" if after[prop].get("deprecated") else "undeprecates"
                lines.append(f"Keycloak {to} {state} property `{prop}` of {name}")
    return lines


def _index(document: Mapping[str, Any]) -> dict[tuple[str, tuple[str, ...]], tuple[str, Any]]:
    found = {}
    for path in sorted(document.get("paths", {})):
        item = dict(document["paths"][path], __path__=path)
        for method in HTTP_METHODS:
            if method in item:
                found[method.upper(), shape(path)] = (path, item)
    return found


def _name(method: str, path: str) -> str:
    try:
        return name_operation(AdminOperation(method, path)).qualified
    except NamingError:
        return "(unnamed)"


def diff_admin(
    old: Mapping[str, Any], new: Mapping[str, Any], from_version: str, to_version: str
) -> AdminDiff:
    """Compare two (mended) admin documents."""
    before, after = _index(old), _index(new)
    added, removed, changed = [], [], []
    for key in sorted(set(before) | set(after), key=lambda k: (k[1], k[0])):
        method = key[0]
        if key not in before:
            path = after[key][0]
            added.append(OperationChange(_name(method, path), method, path))
        elif key not in after:
            path = before[key][0]
            removed.append(OperationChange(_name(method, path), method, path))
        else:
            (_, old_item), (new_path, new_item) = before[key], after[key]
            lines = _diff_operation(
                old_item[method.lower()], new_item[method.lower()], old_item, new_item, to_version
            )
            if lines:
                changed.append(OperationChange(_name(method, new_path), method, new_path, lines))
    return AdminDiff(
        from_version,
        to_version,
        len(operations_of(old)),
        len(operations_of(new)),
        added,
        removed,
        changed,
        _diff_models(old, new, to_version),
    )


def report(diff: AdminDiff) -> str:
    """The plain-words report printed by `make spec-diff`."""
    to = diff.to_version
    out = [
        f"Admin REST API of Keycloak {diff.from_version} → {to} "
        "(spec/keycloak/<version>/admin-openapi.json, mended)",
        "",
        f"{diff.operations_before} → {diff.operations_after} operations: "
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed.",
    ]
    if diff.added:
        out += ["", "Added operations"]
        out += [f"  Keycloak {to} adds {c.name}: {c.method} {c.path}" for c in diff.added]
    if diff.removed:
        out += ["", "Removed operations"]
        out += [f"  Keycloak {to} removes {c.name}: {c.method} {c.path}" for c in diff.removed]
    if diff.changed:
        out += ["", "Changed operations"]
        for change in diff.changed:
            out.append(f"  {change.name}: {change.method} {change.path}")
            out += [f"    {line}" for line in change.lines]
    if diff.models:
        out += ["", "Models"]
        out += [f"  {line}" for line in diff.models]
    if not diff.count:
        out += ["", f"Keycloak {diff.from_version} and {to} offer identical admin APIs."]
    return "\n".join(out) + "\n"
