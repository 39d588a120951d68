"""Render keycloak_sdk/: generic templates over the operations of spec/, plus the runtime."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
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

#: No generated module is longer (formatted); tests/unit/test_module_budget.py checks it.
MODULE_LINE_BUDGET = 600
#: A group's module whose rendered builders exceed this many lines is split (see `_parts`);
#: well below the budget because formatting lengthens the rendered text (about 1.5 times).
PART_LINES = 250


@dataclass
class Part:
    """Builders of one group moved to a sub-module `resources/_<group module>_<n>.py`."""

    module: str
    node: operations.Namespace  # the group's path and description, only this part's methods


def _parts(node: operations.Namespace, env: jinja2.Environment) -> list[Part]:
    """Split a group whose builders would make its module too long (generic, spec-driven).

    Operations are grouped by URL (discovery key and path, so an endpoint's GET, PUT and DELETE
    stay together) in spec order; whole URL groups are packed, in that order, into parts of at
    most PART_LINES rendered builder lines (one URL group longer than that is cut between its
    methods). The group's own module then keeps the sync and async classes and imports the
    builders; a group small enough is not split.
    """
    operation = env.get_template("operation.py.jinja")
    sizes = {m.builder: operation.render(m=m).count("\n") for m in node.methods}
    if sum(sizes.values()) <= PART_LINES:
        return []
    by_url: dict[tuple[str, str], list[operations.Method]] = {}
    for method in node.methods:
        url = (method.endpoint.get("key", ""), method.endpoint.get("path", ""))
        by_url.setdefault(url, []).append(method)
    chunks: list[list[operations.Method]] = [[]]
    for group in by_url.values():
        size = sum(sizes[m.builder] for m in group)
        if chunks[-1] and sum(sizes[m.builder] for m in chunks[-1]) + size > PART_LINES:
            chunks.append([])
        for method in group:
            current = chunks[-1]
            if current and sum(sizes[m.builder] for m in current) + sizes[method.builder] > (
                PART_LINES
            ):
                chunks.append([])
            chunks[-1].append(method)
    return [
        Part(f"_{node.module}_{n}", replace(node, methods=chunk, children=[]))
        for n, chunk in enumerate(chunks, 1)
    ]


def _render_group(
    node: operations.Namespace,
    env: jinja2.Environment,
    names: Callable[[set[str]], dict[str, list[str]]],
    context: Mapping[str, Any],
) -> dict[str, str]:
    """`resources/<module>.py` of one group, plus its builder parts when it is split."""
    resource = env.get_template("resource.py.jinja")
    parts = _parts(node, env)
    out: dict[str, str] = {}
    for number, part in enumerate(parts, 1):
        out[f"resources/{part.module}.py"] = env.get_template("resource_part.py.jinja").render(
            node=part.node,
            number=number,
            parts=parts,
            **names(_names_in([part.node])),
            **context,
        )
    empty: dict[str, list[str]] = {"models": [], "documents": [], "literal_types": []}
    out[f"resources/{node.module}.py"] = resource.render(
        node=node,
        parts=parts,
        where={m.builder: part.module for part in parts for m in part.node.methods},
        **(empty if parts else names(_names_in([node]))),
        **context,
    )
    return out


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
    # A discovery document's builder may live in a part of a split group's module.
    for root in api.namespaces:
        for node in operations.walk(root):
            for part in _parts(node, env):
                for doc in api.secondary:
                    if doc.builder in {m.builder for m in part.node.methods}:
                        doc.module = part.module
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
    type_names = {name for _key, name in DISCOVERY_LITERALS.items()} | {TOKEN_TYPE_HINT}

    def names(used: set[str]) -> dict[str, list[str]]:
        return {
            "models": sorted(used & api.models),
            "documents": sorted(used & api.document_models),
            "literal_types": sorted(used & type_names),
        }

    for root in api.namespaces:
        for node in operations.walk(root):
            for target, text in _render_group(node, env, names, context).items():
                out[target] = (sources, text)
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
    renamed: Mapping[str, str] | None = None,
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
        # Old class name → new, for deprecated aliases in models.py.
        "renamed": _renamed_classes(renamed or {}, wire_models or []),
    }
    out: dict[str, tuple[str, str]] = {}
    for template, target in (
        ("service_client.py.jinja", "client.py"),
        ("service_models.py.jinja", "models.py"),
        ("resources_init.py.jinja", "resources/__init__.py"),
    ):
        out[target] = (source, env.get_template(template).render(**context))

    def names(used: set[str]) -> dict[str, list[str]]:
        return {"models": sorted(used & api.models), "documents": [], "literal_types": []}

    for root in api.namespaces:
        for node in operations.walk(root):
            for target, text in _render_group(node, env, names, context).items():
                out[target] = (source, text)
    for module in sorted(runtime.glob("*.py")):
        relative = runtime.relative_to(RUNTIME.parent)
        out[module.name] = (f"generator/{relative}/{module.name}", module.read_text("utf-8"))
    return out


def _renamed_classes(renamed: Mapping[str, str], models: list[str]) -> list[tuple[str, str]]:
    """Renamed schemas plus the classes openapi-python-client derives from them.

    An inline object of a renamed schema is named after it (`PermissionClaims` became
    `AccessTokenAuthorizationPermissionClaims`): the longest renamed prefix gives its old name.
    """
    out = dict(renamed)
    new_names = set(renamed.values())
    for model in models:
        if model in new_names:
            continue
        prefixes = [(new, old) for old, new in renamed.items() if model.startswith(new)]
        if prefixes:
            new, old = max(prefixes, key=lambda item: len(item[0]))
            out[old + model[len(new) :]] = model
    return sorted(out.items())


def for_opc_names(spec: BundledSpec) -> set[str]:
    from generator.spec import for_openapi_python_client

    return set(for_openapi_python_client(spec)["components"]["schemas"])
