"""Load spec/openapi/*.yaml, bundle it into one OpenAPI document and validate it."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Sections of `components` the bundler merges.
COMPONENT_SECTIONS = ("schemas", "responses", "parameters", "securitySchemes", "requestBodies")


class SpecError(Exception):
    """spec/ is inconsistent: the message says where."""


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    source: str
    discovery_key: str
    raw: Mapping[str, Any]


@dataclass
class BundledSpec:
    document: dict[str, Any]
    sources: list[str]
    operations: list[Operation] = field(default_factory=list)
    uncovered_keys: dict[str, str] = field(default_factory=dict)

    @property
    def described_keys(self) -> set[str]:
        return {op.discovery_key for op in self.operations}

    def schema(self, name: str) -> dict[str, Any]:
        schemas: dict[str, Any] = self.document["components"]["schemas"]
        if name not in schemas:
            raise SpecError(f"unknown schema {name!r}")
        return schemas[name]  # type: ignore[no-any-return]

    def error_codes(self) -> list[str]:
        return list(self.schema("OAuthErrorCode")["enum"])


def _rewrite_refs(node: Any) -> Any:
    """Turn `other.yaml#/components/...` into a local `#/components/...` reference."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and "#" in value:
                out[key] = "#" + value.split("#", 1)[1]
            elif key == "schema" and isinstance(value, str) and "#" in value:
                # x-grants entries name their schema the same way.
                out[key] = "#" + value.split("#", 1)[1]
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _iter_operations(path_item: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for method in HTTP_METHODS:
        if method in path_item:
            yield method, path_item[method]


def load(spec_dir: Path) -> BundledSpec:
    openapi_dir = spec_dir / "openapi"
    files = sorted(openapi_dir.glob("*.yaml"))
    if not files:
        raise SpecError(f"no OpenAPI documents in {openapi_dir}")
    bundled: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "Keycloak OIDC and UMA",
            "version": "26",
            "description": "Bundled by keycloak-sdk's generator from spec/openapi/.",
        },
        "servers": [{"url": "/"}],
        "paths": {},
        "components": {section: {} for section in COMPONENT_SECTIONS},
    }
    result = BundledSpec(document=bundled, sources=[])
    for path in files:
        source = f"spec/openapi/{path.name}"
        result.sources.append(source)
        doc = _rewrite_refs(yaml.safe_load(path.read_text(encoding="utf-8")))
        if not isinstance(doc, dict):
            raise SpecError(f"{source}: not a mapping")
        for key, reason in (doc.get("x-uncovered-discovery-keys") or {}).items():
            result.uncovered_keys[str(key)] = " ".join(str(reason).split())
        for route, item in (doc.get("paths") or {}).items():
            if route in bundled["paths"]:
                raise SpecError(f"{source}: path {route} is also described elsewhere")
            bundled["paths"][route] = item
            for method, op in _iter_operations(item):
                op_id = op.get("operationId")
                key = op.get("x-discovery-key")
                if not op_id or not key:
                    raise SpecError(
                        f"{source}: {method.upper()} {route} needs operationId and x-discovery-key"
                    )
                result.operations.append(Operation(op_id, method, route, source, key, op))
        for section, entries in (doc.get("components") or {}).items():
            target = bundled["components"].setdefault(section, {})
            for name, value in (entries or {}).items():
                if name in target and target[name] != value:
                    raise SpecError(f"{source}: components/{section}/{name} defined twice")
                target[name] = value
    bundled["components"] = {k: v for k, v in bundled["components"].items() if v}
    ids = [op.operation_id for op in result.operations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"duplicate operationId: {', '.join(duplicates)}")
    try:
        validate(copy.deepcopy(bundled))
    except OpenAPIValidationError as exc:
        raise SpecError(f"bundled spec is not valid OpenAPI: {exc}") from exc
    return result


def grants(spec: BundledSpec) -> list[dict[str, Any]]:
    """The token endpoint's `x-grants`, with each grant's request schema resolved."""
    token_ops = [op for op in spec.operations if op.raw.get("x-grants")]
    if len(token_ops) != 1:
        raise SpecError("exactly one operation must carry x-grants (the token endpoint)")
    out: list[dict[str, Any]] = []
    for entry in token_ops[0].raw["x-grants"]:
        schema_name = str(entry["schema"]).rsplit("/", 1)[1]
        schema = spec.schema(schema_name)
        enum = schema["properties"]["grant_type"].get("enum")
        if enum != [entry["grant_type"]]:
            raise SpecError(
                f"{schema_name}.grant_type must be the single value {entry['grant_type']}"
            )
        required = set(schema.get("required", []))
        fields = []
        for name, prop in schema["properties"].items():
            if name in ("grant_type", "client_id"):
                continue
            fields.append(
                {
                    "name": name,
                    "required": name in required,
                    "type": prop.get("type", "string"),
                    "description": " ".join(str(prop.get("description", "")).split()),
                }
            )
        out.append(
            {
                "grant_type": entry["grant_type"],
                "method": entry["method"],
                "schema": schema_name,
                "description": " ".join(str(schema.get("description", "")).split()),
                "fields": fields,
            }
        )
    return out


def for_openapi_python_client(spec: BundledSpec) -> dict[str, Any]:
    """The bundled document reshaped where openapi-python-client needs a simpler form.

    The token endpoint's per-grant `oneOf` becomes one `TokenRequest` form whose fields are
    the union of every grant's fields; the SDK's typed per-grant methods come from `x-grants`.
    Non-JSON alternatives of a JSON response (userinfo's `application/jwt`) are dropped: the
    facade handles them.
    """
    doc = copy.deepcopy(spec.document)
    merged: dict[str, Any] = {
        "type": "object",
        "description": "Any token request; see x-grants for the per-grant shapes.",
        "required": ["grant_type"],
        "properties": {"grant_type": {"type": "string"}},
    }
    for grant in grants(spec):
        for name, prop in spec.schema(grant["schema"])["properties"].items():
            if name == "grant_type":
                continue
            existing = merged["properties"].get(name)
            if existing is not None and existing.get("type") != prop.get("type"):
                raise SpecError(f"token field {name} has different types in different grants")
            merged["properties"][name] = {k: v for k, v in prop.items() if k != "default"}
    doc["components"]["schemas"]["TokenRequest"] = merged
    for op in spec.operations:
        raw = doc["paths"][op.path][op.method]
        if raw.get("x-grants"):
            raw["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"] = {
                "$ref": "#/components/schemas/TokenRequest"
            }
        for response in raw.get("responses", {}).values():
            content = response.get("content")
            if content and "application/json" in content:
                response["content"] = {"application/json": content["application/json"]}
    return doc


def check_discovery(spec: BundledSpec, discovery: Mapping[str, Any], origin: str) -> None:
    """Refuse a discovery document naming an endpoint spec/ neither describes nor excludes."""
    known = spec.described_keys | set(spec.uncovered_keys)
    for key in sorted(discovery):
        looks_like_endpoint = key.endswith(("_endpoint", "_uri")) or key == "check_session_iframe"
        if looks_like_endpoint and key not in known:
            raise SpecError(
                f"{origin} advertises {key!r}, which spec/openapi/ neither describes "
                "(x-discovery-key) nor lists under x-uncovered-discovery-keys"
            )
