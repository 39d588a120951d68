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
    discovery_key: str | None
    raw: Mapping[str, Any]


@dataclass
class BundledSpec:
    document: dict[str, Any]
    sources: list[str]
    operations: list[Operation] = field(default_factory=list)
    uncovered_keys: dict[str, str] = field(default_factory=dict)

    @property
    def described_keys(self) -> set[str]:
        return {op.discovery_key for op in self.operations if op.discovery_key}

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
            elif key in ("schema", "body") and isinstance(value, str) and "#" in value:
                # x-sdk-methods entries name their form body the same way.
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
        "tags": [],
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
        for tag in doc.get("tags") or []:
            if any(t["name"] == tag["name"] for t in bundled["tags"]):
                raise SpecError(f"{source}: tag {tag['name']} is also described elsewhere")
            bundled["tags"].append(tag)
        for route, item in (doc.get("paths") or {}).items():
            if route in bundled["paths"]:
                raise SpecError(f"{source}: path {route} is also described elsewhere")
            bundled["paths"][route] = item
            for method, op in _iter_operations(item):
                # A document without operationIds (Keycloak's admin API) names each operation
                # with x-sdk-method instead (e.g. set by a naming rule when it is read).
                op_id = op.get("operationId") or str(op.get("x-sdk-method", "")).replace(".", "_")
                key = op.get("x-discovery-key")
                if not op_id:
                    raise SpecError(
                        f"{source}: {method.upper()} {route} needs an operationId or x-sdk-method"
                    )
                # Path-level parameters belong to every operation of the path (OpenAPI 3.0 §4.7.9).
                merged = {(p["name"], p["in"]): p for p in item.get("parameters", [])}
                merged.update({(p["name"], p["in"]): p for p in op.get("parameters", [])})
                raw = {**op, "parameters": list(merged.values())} if merged else op
                result.operations.append(Operation(op_id, method, route, source, key, raw))
        for section, entries in (doc.get("components") or {}).items():
            target = bundled["components"].setdefault(section, {})
            for name, value in (entries or {}).items():
                if name in target and target[name] != value:
                    raise SpecError(f"{source}: components/{section}/{name} defined twice")
                target[name] = value
    bundled["components"] = {k: v for k, v in bundled["components"].items() if v}
    bundled["tags"] = sorted(bundled["tags"], key=lambda t: t["name"])
    ids = [op.operation_id for op in result.operations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"duplicate operationId: {', '.join(duplicates)}")
    try:
        validate(copy.deepcopy(bundled))
    except OpenAPIValidationError as exc:
        raise SpecError(f"bundled spec is not valid OpenAPI: {exc}") from exc
    return result


def from_document(document: Mapping[str, Any], source: str) -> BundledSpec:
    """One OpenAPI document already in a single piece (e.g. Keycloak's admin API), validated.

    Every operation needs an `operationId`; path-level parameters are copied into each
    operation as `load` does.
    """
    bundled = copy.deepcopy(dict(document))
    result = BundledSpec(document=bundled, sources=[source])
    for route, item in bundled.get("paths", {}).items():
        for method, op in _iter_operations(item):
            op_id = op.get("operationId")
            if not op_id:
                raise SpecError(f"{source}: {method.upper()} {route} needs an operationId")
            merged = {(p["name"], p["in"]): p for p in item.get("parameters", [])}
            merged.update({(p["name"], p["in"]): p for p in op.get("parameters", [])})
            raw = {**op, "parameters": list(merged.values())} if merged else op
            key = op.get("x-discovery-key")
            result.operations.append(Operation(op_id, method, route, source, key, raw))
    ids = [op.operation_id for op in result.operations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecError(f"{source}: duplicate operationId: {', '.join(duplicates)}")
    try:
        validate(copy.deepcopy(bundled))
    except OpenAPIValidationError as exc:
        raise SpecError(f"{source} is not valid OpenAPI: {exc}") from exc
    return result


def for_openapi_python_client(spec: BundledSpec) -> dict[str, Any]:
    """The bundled document reduced to what openapi-python-client is used for: the models.

    Only `components/schemas` matter (the attrs models of `keycloak_sdk._wire.models`); the
    operations are rendered by generator/operations.py, so openapi-python-client sees no paths.
    Request-only form schemas (token grants, introspection, ...) are arguments of the generated
    methods, not models; they are left out so that nothing is generated that nothing uses.
    """
    doc = copy.deepcopy(spec.document)
    doc["paths"] = {}
    doc.pop("tags", None)
    form_only = set()
    for op in spec.operations:
        body = op.raw.get("requestBody", {}).get("content", {})
        form = body.get("application/x-www-form-urlencoded", {}).get("schema", {})
        variants = op.raw.get("x-sdk-methods", [])
        refs = [form] + [{"$ref": v["body"]} for v in variants if "body" in v]
        refs += list(form.get("oneOf", []))
        form_only |= {r["$ref"].rsplit("/", 1)[1] for r in refs if "$ref" in r}
    # Schemas marked x-document are the pydantic documents of spec/schemas/, not attrs models.
    doc["components"]["schemas"] = {
        name: schema
        for name, schema in doc["components"]["schemas"].items()
        if name not in form_only and not schema.get("x-document")
    }
    doc["components"].pop("responses", None)
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
