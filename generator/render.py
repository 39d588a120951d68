"""Render the runtime, the client facade and the version-derived types with jinja2."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.spec import BundledSpec, SpecError, grants

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Discovery list → name of the Literal type generated from it in keycloak_sdk/types.py.
DISCOVERY_LITERALS = {
    "grant_types_supported": "GrantType",
    "response_types_supported": "ResponseType",
    "response_modes_supported": "ResponseMode",
    "prompt_values_supported": "Prompt",
    "token_endpoint_auth_methods_supported": "ClientAuthMethod",
    "id_token_signing_alg_values_supported": "SigningAlgorithm",
    "code_challenge_methods_supported": "CodeChallengeMethod",
    "scopes_supported": "Scope",
    "claims_supported": "Claim",
    "subject_types_supported": "SubjectType",
    "backchannel_token_delivery_modes_supported": "BackchannelTokenDeliveryMode",
}
# Request fields typed with a discovery Literal instead of plain `str`.
FIELD_LITERALS = {
    "response_type": "ResponseType",
    "response_mode": "ResponseMode",
    "code_challenge_method": "CodeChallengeMethod",
}
# Space-separated lists in OAuth: accept one string or a sequence of values.
SPACED_FIELDS = {"scope": "str", "prompt": "Prompt", "acr_values": "str", "ui_locales": "str"}
TOKEN_TYPE_HINT = "TokenTypeHint"  # noqa: S105 - a type name

# operationId → the facade method that calls it. Adding an operation to spec/ without adding
# its facade method (templates/client.py.jinja) stops generation here.
FACADE_METHODS = {
    "get_openid_configuration": "KeycloakClient.from_issuer",
    "get_uma2_configuration": "uma (lazily, on first use)",
    "authorize": "oidc.authorization_url",
    "token": "oidc.token_* / uma.token / uma.decision / uma.permissions",
    "userinfo": "oidc.userinfo / oidc.userinfo_jwt",
    "introspect": "oidc.introspect",
    "revoke": "oidc.revoke",
    "end_session": "oidc.end_session_url",
    "logout": "oidc.logout",
    "jwks": "oidc.jwks / oidc.jwks_response",
    "device_authorization": "oidc.device_authorization",
    "pushed_authorization": "oidc.pushed_authorization",
    "backchannel_authentication": "oidc.backchannel_authentication",
    "list_resource_sets": "uma.resource_sets.list / uma.resource_sets.list_ids",
    "create_resource_set": "uma.resource_sets.create",
    "get_resource_set": "uma.resource_sets.get",
    "update_resource_set": "uma.resource_sets.update",
    "delete_resource_set": "uma.resource_sets.delete",
    "create_permission_ticket": "uma.permission_tickets.create",
    "list_tickets": "uma.tickets.list",
    "create_ticket": "uma.tickets.create",
    "update_ticket": "uma.tickets.update",
    "delete_ticket": "uma.tickets.delete",
    "list_uma_policies": "uma.policies.list",
    "create_uma_policy": "uma.policies.create",
    "update_uma_policy": "uma.policies.update",
    "delete_uma_policy": "uma.policies.delete",
}


@dataclass(frozen=True)
class Field:
    """One request parameter as a Python keyword argument."""

    py: str
    wire: str
    annotation: str
    kind: str  # str | int | bool | list | spaced | json
    required: bool
    default: str | None  # a Python literal, or None for "omit when not given"
    description: str

    @property
    def signature(self) -> str:
        """The parameter as written in a `def`, trailing comma included."""
        if self.required and self.default is None:
            return f"{self.py}: {self.annotation},"
        if self.default is not None:
            # ruff's S107 reads any default of a "*token*" parameter as a password.
            marker = "  # noqa: S107 - a URN" if "token" in self.py else ""
            return f"{self.py}: {self.annotation} = {self.default},{marker}"
        return f"{self.py}: {self.annotation} | None = None,"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().lstrip("_")


def class_name_for_error(code: str) -> str:
    name = "".join(part.capitalize() for part in code.split("_"))
    return name if name.endswith("Error") else f"{name}Error"


def make_field(
    name: str,
    schema: Mapping[str, Any],
    required: bool,
    description: str = "",
    *,
    oauth: bool = True,
) -> Field:
    """A parameter; `oauth=False` for protection API filters, where `scope` is one name."""
    kind = schema.get("type", "string")
    default = repr(schema["default"]) if "default" in schema else None
    doc = " ".join(str(description or schema.get("description", "")).split())
    py = snake(name)
    if oauth and name in SPACED_FIELDS:
        item = SPACED_FIELDS[name]
        return Field(py, name, f"{item} | Sequence[{item}]", "spaced", required, default, doc)
    if name in FIELD_LITERALS:
        return Field(py, name, FIELD_LITERALS[name], "str", required, default, doc)
    if name == "token_type_hint":
        return Field(py, name, TOKEN_TYPE_HINT, "str", required, default, doc)
    if name == "claims" and kind == "string":
        return Field(py, name, "str | Mapping[str, Any]", "json", required, default, doc)
    if "enum" in schema and kind == "string":
        values = ", ".join(repr(v) for v in schema["enum"])
        return Field(py, name, f"Literal[{values}]", "str", required, default, doc)
    if kind == "integer":
        return Field(py, name, "int", "int", required, default, doc)
    if kind == "boolean":
        return Field(py, name, "bool", "bool", required, default, doc)
    if kind == "array":
        return Field(py, name, "Sequence[str]", "list", required, default, doc)
    if kind == "string":
        return Field(py, name, "str", "str", required, default, doc)
    raise SpecError(f"field {name}: type {kind!r} has no Python mapping in generator/render.py")


def schema_fields(
    spec: BundledSpec, schema_name: str, *, skip: tuple[str, ...] = ("grant_type", "client_id")
) -> list[Field]:
    schema = spec.schema(schema_name)
    required = set(schema.get("required", []))
    fields = [
        make_field(name, prop, name in required)
        for name, prop in schema["properties"].items()
        if name not in skip
    ]
    # Required-without-default first: they become positional-or-keyword parameters.
    return sorted(fields, key=lambda f: not (f.required and f.default is None))


def query_fields(
    spec: BundledSpec, operation_id: str, *, skip: tuple[str, ...] = (), oauth: bool = True
) -> list[Field]:
    op = next((o for o in spec.operations if o.operation_id == operation_id), None)
    if op is None:
        raise SpecError(f"operation {operation_id} is missing from spec/openapi/")
    fields = [
        make_field(
            p["name"], p["schema"], bool(p.get("required")), p.get("description", ""), oauth=oauth
        )
        for p in op.raw.get("parameters", [])
        if p["in"] == "query" and p["name"] not in skip
    ]
    return sorted(fields, key=lambda f: not (f.required and f.default is None))


def _literal_values(discovery: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    out = []
    for key, type_name in DISCOVERY_LITERALS.items():
        values = discovery.get(key)
        if not isinstance(values, list) or not values:
            raise SpecError(f"the discovery document has no {key}; cannot derive {type_name}")
        out.append((type_name, key, sorted({str(v) for v in values})))
    return out


def render_package(
    spec: BundledSpec,
    oidc_discovery: Mapping[str, Any],
    uma_discovery: Mapping[str, Any] | None,
    keycloak_version: str,
    discovery_source: str,
) -> dict[str, tuple[str, str]]:
    """Relative path → (spec source named in the header, file text)."""
    missing = sorted(
        op.operation_id for op in spec.operations if op.operation_id not in FACADE_METHODS
    )
    if missing:
        raise SpecError(
            f"operations without a facade method: {', '.join(missing)} "
            "(add them to generator/templates/client.py.jinja and FACADE_METHODS)"
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )
    token_grants = []
    for grant in grants(spec):
        grant["params"] = schema_fields(spec, grant["schema"])
        token_grants.append(grant)
    error_codes = spec.error_codes()
    schema_names = sorted(spec.document["components"]["schemas"])
    context: dict[str, Any] = {
        "keycloak_version": keycloak_version,
        "literals": _literal_values(oidc_discovery),
        "uma_advertised": uma_discovery is not None,
        "error_classes": [(code, class_name_for_error(code)) for code in error_codes],
        "grants": [g for g in token_grants if "." not in g["method"]],
        "uma_grant": next(g for g in token_grants if g["method"] == "uma.token"),
        "authorization_params": query_fields(spec, "authorize", skip=("client_id",)),
        "end_session_params": query_fields(spec, "end_session", skip=("client_id",)),
        "par_params": schema_fields(spec, "PushedAuthorizationRequest", skip=("client_id",)),
        "ciba_params": schema_fields(spec, "BackchannelAuthenticationRequest", skip=("client_id",)),
        "device_params": schema_fields(spec, "DeviceAuthorizationRequest", skip=("client_id",)),
        "resource_set_query": query_fields(spec, "list_resource_sets", skip=("deep",), oauth=False),
        "ticket_query": query_fields(spec, "list_tickets", oauth=False),
        "policy_query": query_fields(spec, "list_uma_policies", oauth=False),
        "wire_models": [n for n in schema_names if n not in ("OAuthErrorCode",)],
        "facade_methods": FACADE_METHODS,
        "operations": spec.operations,
        "uncovered": sorted(spec.uncovered_keys.items()),
    }
    sources = "spec/openapi/"
    out: dict[str, tuple[str, str]] = {}
    for template, target, source in (
        ("types.py.jinja", "types.py", discovery_source),
        ("errors.py.jinja", "errors.py", "spec/openapi/common.yaml"),
        ("auth.py.jinja", "auth.py", "spec/openapi/oidc.yaml"),
        ("_runtime.py.jinja", "_runtime.py", sources),
        ("client.py.jinja", "client.py", sources),
        ("models.py.jinja", "models.py", sources),
        ("__init__.py.jinja", "__init__.py", sources),
    ):
        out[target] = (source, env.get_template(template).render(**context))
    return out
