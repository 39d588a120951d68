"""Render keycloak_sdk/: generic templates over the operations of spec/, plus the runtime."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from generator import operations
from generator.spec import BundledSpec, SpecError

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Handwritten runtime modules, copied into keycloak_sdk/ verbatim (with the "do not edit" header).
RUNTIME = Path(__file__).resolve().parent / "runtime"

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


TOKEN_TYPE_HINT = "TokenTypeHint"  # noqa: S105 - a type name


def class_name_for_error(code: str) -> str:
    name = "".join(part.capitalize() for part in code.split("_"))
    return name if name.endswith("Error") else f"{name}Error"


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
    api = operations.read(spec)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )
    env.filters["wrap"] = lambda text, indent="": textwrap.fill(
        text, 96, subsequent_indent=indent, break_long_words=False
    )
    error_codes = spec.error_codes()
    context: dict[str, Any] = {
        "keycloak_version": keycloak_version,
        "literals": _literal_values(oidc_discovery),
        "error_classes": [(code, class_name_for_error(code)) for code in error_codes],
        "api": api,
        "walk": operations.walk,
        "document_models": sorted(api.document_models),
        "wire_models": sorted(
            n for n in spec.document["components"]["schemas"] if n in _wire_schema_names(spec)
        ),
        "package": "keycloak_sdk",
        "entry": "client",
        "sync_client": "KeycloakClient",
        "async_client": "AsyncKeycloakClient",
    }
    sources = "spec/openapi/"
    out: dict[str, tuple[str, str]] = {}
    for template, target, source in (
        ("types.py.jinja", "types.py", discovery_source),
        ("errors.py.jinja", "errors.py", "spec/openapi/common.yaml"),
        ("client.py.jinja", "client.py", sources),
        ("models.py.jinja", "models.py", sources),
        ("__init__.py.jinja", "__init__.py", sources),
        ("resources_init.py.jinja", "resources/__init__.py", sources),
    ):
        out[target] = (source, env.get_template(template).render(**context))
    resource = env.get_template("resource.py.jinja")
    type_names = {name for _key, name in DISCOVERY_LITERALS.items()} | {TOKEN_TYPE_HINT}
    for root in api.namespaces:
        for node in operations.walk(root):
            used = _names_in([node])
            text = resource.render(
                node=node,
                models=sorted(used & api.models),
                documents=sorted(used & api.document_models),
                literal_types=sorted(used & type_names),
                **context,
            )
            out[f"resources/{node.module}.py"] = (sources, text)
    for runtime in sorted(RUNTIME.glob("*.py")):
        if runtime.name != "__init__.py":
            out[runtime.name] = (f"generator/runtime/{runtime.name}", runtime.read_text("utf-8"))
    return out


def _names_in(nodes: list[operations.Namespace]) -> set[str]:
    """Every identifier in the annotations and parsers of the methods of `nodes`."""
    names: set[str] = set()
    for node in nodes:
        for method in node.methods:
            texts = [method.returns, method.parse, *(p.annotation for p in method.params)]
            for text in texts:
                names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return names


def _wire_schema_names(spec: BundledSpec) -> set[str]:
    from generator.spec import for_openapi_python_client

    names = set(for_openapi_python_client(spec)["components"]["schemas"])
    return names - {"OAuthErrorCode"}


def render_service(
    spec: BundledSpec,
    *,
    package: str,
    title: str,
    sync_client: str,
    async_client: str,
    client_doc: str,
    base_module: str,
    sync_base: str,
    async_base: str,
    runtime: Path,
    source: str,
    wire_models: list[str] | None = None,
) -> dict[str, tuple[str, str]]:
    """A sub-package for a document served below the server root, without discovery.

    Same generic operation and resource templates as the core; the entry classes come from
    `service_client.py.jinja` on the base classes `base_module.sync_base/async_base`, which
    the handwritten modules in `runtime` provide. Paths are relative to the sub-package.
    """
    api = operations.read(spec, models_module=f"{package}.models")
    if api.documents:
        raise SpecError(f"{source}: a service document loads no discovery document")
    for root in api.namespaces:
        for node in operations.walk(root):
            # Named after their whole path (AuthenticationFlows): a sub-package's classes must
            # not repeat the names of the core's or the extensions' classes.
            node.qualified = True
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )
    env.filters["wrap"] = lambda text, indent="": textwrap.fill(
        text, 96, subsequent_indent=indent, break_long_words=False
    )
    context: dict[str, Any] = {
        "api": api,
        "walk": operations.walk,
        "package": package,
        "entry": "admin",
        "title": title,
        "sync_client": sync_client,
        "async_client": async_client,
        "client_doc": client_doc,
        "base_module": base_module,
        "sync_base": sync_base,
        "async_base": async_base,
        # Every class openapi-python-client wrote (inline objects get models of their own).
        "wire_models": sorted(wire_models if wire_models is not None else for_opc_names(spec)),
    }
    out: dict[str, tuple[str, str]] = {}
    for template, target in (
        ("service_client.py.jinja", "client.py"),
        ("service_models.py.jinja", "models.py"),
        ("resources_init.py.jinja", "resources/__init__.py"),
    ):
        out[target] = (source, env.get_template(template).render(**context))
    resource = env.get_template("resource.py.jinja")
    for root in api.namespaces:
        for node in operations.walk(root):
            used = _names_in([node])
            text = resource.render(
                node=node,
                models=sorted(used & api.models),
                documents=[],
                literal_types=[],
                **context,
            )
            out[f"resources/{node.module}.py"] = (source, text)
    for module in sorted(runtime.glob("*.py")):
        relative = runtime.relative_to(RUNTIME.parent)
        out[module.name] = (f"generator/{relative}/{module.name}", module.read_text("utf-8"))
    return out


def for_opc_names(spec: BundledSpec) -> set[str]:
    from generator.spec import for_openapi_python_client

    return set(for_openapi_python_client(spec)["components"]["schemas"])
