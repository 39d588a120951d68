"""Read every operation of the bundled spec into the shapes the generic templates render.

Nothing here knows an endpoint by name: an operation's Python method comes from standard
OpenAPI (parameters, request body, responses, security, tags) plus the `x-` extensions
documented in spec/openapi/README.md. An operation this module cannot express stops generation
with a one-line `SpecError` naming it.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.spec import BundledSpec, Operation, SpecError

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
JWT = "application/jwt"
TEXT = "text/plain"
BINARY = "application/octet-stream"
DEFAULT_TOKEN_PARAMETER = "access_token"  # noqa: S105 - a parameter name
VARIANT_KEYS = {"name", "body", "response", "accept", "fixed", "omit", "only", "bearer", "summary"}
PARAMETER_LOCATIONS = ("path", "query")


@dataclass(frozen=True)
class Param:
    """One argument of a generated method."""

    py: str
    wire: str
    location: str  # path | query | form | json | bearer
    annotation: str
    required: bool
    default: str | None  # a Python literal, or None
    encoder: str  # expression applied to the argument: "{}" is the argument
    description: str = ""
    from_client: bool = False
    unless_given: str | None = None
    #: The client attribute the value comes from (`client_id`, or e.g. `realm` for a path).
    client_attribute: str = ""

    @property
    def positional(self) -> bool:
        return self.required and self.default is None

    @property
    def signature(self) -> str:
        if self.positional:
            return f"{self.py}: {self.annotation}"
        if self.default is not None:
            return f"{self.py}: {self.annotation} = {self.default}"
        return f"{self.py}: {self.annotation} | None = None"

    @property
    def value(self) -> str:
        return self.encoder.replace("{}", self.py)

    @property
    def item(self) -> str:
        return f"{self.wire!r}: {self.value}".replace("'", '"')

    @property
    def client_item(self) -> str:
        return f"{self.wire!r}: {self.client_attribute!r}".replace("'", '"')


@dataclass(frozen=True)
class Fixed:
    wire: str
    location: str  # query | form
    value: str  # a Python literal


@dataclass
class Method:
    """One generated method: a builder function plus its sync and async bindings."""

    namespace: tuple[str, ...]
    name: str
    operation: Operation
    params: list[Param]
    fixed: list[Fixed]
    returns: str
    parse: str
    endpoint: dict[str, str]  # Endpoint(...) keyword → Python literal
    doc: list[str]
    url_builder: bool = False
    client_fields: list[Param] = field(default_factory=list)
    #: (offset, limit) query parameters of a paged list (`x-paging`): an `iter_` method too.
    paging: tuple[str, str] | None = None
    #: The media type of a raw body (`text/plain`, or JSON given as text); its argument is
    #: the parameter located in "content".
    content: str | None = None

    @property
    def builder(self) -> str:
        return "_" + "_".join(self.namespace) + "__" + self.name

    @property
    def label(self) -> str:
        return ".".join((*self.namespace, self.name))

    def located(self, location: str) -> list[Param]:
        return [p for p in self.params if p.location == location]

    def fixed_at(self, location: str) -> list[Fixed]:
        return [f for f in self.fixed if f.location == location]

    def _items(self, location: str) -> list[str]:
        fixed = [f'"{f.wire}": {f.value}' for f in self.fixed_at(location)]
        return [*fixed, *(p.item for p in self.located(location))]

    @property
    def query_items(self) -> list[str]:
        return self._items("query")

    @property
    def form_items(self) -> list[str]:
        return self._items("form")

    endpoint_name: str = ""

    @property
    def has_form(self) -> bool:
        return bool(self.located("form") or self.fixed_at("form")) or self._form_body

    _form_body: bool = False

    @property
    def bearer(self) -> Param | None:
        found = self.located("bearer")
        return found[0] if found else None

    @property
    def raw_body(self) -> Param | None:
        found = self.located("content")
        return found[0] if found else None

    @property
    def path_from_client(self) -> list[Param]:
        return [p for p in self.client_fields if p.location == "path"]

    @property
    def fields_from_client(self) -> list[Param]:
        return [p for p in self.client_fields if p.location != "path"]

    @property
    def body(self) -> Param | None:
        found = self.located("json")
        return found[0] if found else None

    @property
    def signature(self) -> list[str]:
        """Parameters as written in the `def`: required ones first, the rest keyword-only."""
        first = [_line(p) for p in self.params if p.positional]
        rest = [_line(p) for p in self.params if not p.positional]
        return [*first, *(["*,", *rest] if rest else [])]


def _line(param: Param) -> str:
    # ruff's S107 reads any default of a "*token*" parameter as a password.
    marker = "  # noqa: S107 - a URN" if "token" in param.py and param.default else ""
    return f"{param.signature},{marker}"


@dataclass
class Namespace:
    path: tuple[str, ...]
    description: str
    methods: list[Method] = field(default_factory=list)
    children: list[Namespace] = field(default_factory=list)
    #: Name the class after the whole path (`UsersRoleMappings`): its last part is not unique.
    qualified: bool = False

    @property
    def class_name(self) -> str:
        parts = self.path if self.qualified else self.path[-1:]
        return "".join(word.capitalize() for part in parts for word in part.split("_"))

    @property
    def attribute(self) -> str:
        return self.path[-1]

    @property
    def module(self) -> str:
        return "_".join(self.path)

    @property
    def endpoints(self) -> list[tuple[str, dict[str, str]]]:
        """The `rt.Endpoint` constants this group's methods use, in order of first use."""
        out: dict[str, dict[str, str]] = {}
        for method in self.methods:
            out.setdefault(method.endpoint_name, method.endpoint)
        return list(out.items())


@dataclass
class Document:
    """A discovery document the client reads URLs from."""

    name: str
    model: str
    builder: str  # the builder returning its Call (module-qualified in the client)
    module: str
    primary: bool
    endpoint: dict[str, str] = field(default_factory=dict)
    parse: str = ""


@dataclass
class Api:
    namespaces: list[Namespace]  # roots
    documents: list[Document]
    models: set[str]
    #: pydantic document models (keycloak_sdk.documents) some operation returns
    document_models: set[str] = field(default_factory=set)

    @property
    def primary(self) -> Document:
        return next(d for d in self.documents if d.primary)

    @property
    def secondary(self) -> list[Document]:
        return [d for d in self.documents if not d.primary]


def snake(name: str) -> str:
    out = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().lstrip("_")
    out = re.sub(r"[^0-9a-z_]", "_", out)
    return f"{out}_" if keyword.iskeyword(out) else out


def _flat(text: object) -> str:
    return " ".join(str(text or "").split())


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[1]


class _Reader:
    def __init__(self, spec: BundledSpec, models_module: str = "") -> None:
        self.spec = spec
        self.models: set[str] = set()
        self.documents: set[str] = set()
        self.tags = {t["name"]: t for t in spec.document.get("tags", [])}
        #: The module `rt.model("Name")` reads models from ("" is keycloak_sdk.models).
        self.models_module = models_module

    @property
    def models_arg(self) -> str:
        return f", {self.models_module!r}" if self.models_module else ""

    def fail(self, op: Operation, reason: str) -> SpecError:
        return SpecError(f"{op.method.upper()} {op.path} ({op.operation_id}): {reason}")

    # -- schemas → Python types

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        if "$ref" in schema:
            return self.spec.schema(_ref_name(schema["$ref"]))
        return schema

    def field(
        self, op: Operation, name: str, schema: Mapping[str, Any], location: str, required: bool
    ) -> Param:
        description = _flat(schema.get("description"))
        py = str(schema.get("x-python-name") or snake(name))
        default = repr(schema["default"]) if "default" in schema else None
        kind = schema.get("type", "string")
        literal = schema.get("x-literal")
        if schema.get("x-space-delimited"):
            item = literal or "str"
            annotation, encoder = f"{item} | Sequence[{item}]", "rt.spaced({})"
        elif schema.get("x-json-text"):
            annotation, encoder = "str | Mapping[str, Any]", "rt.as_json({})"
        elif literal:
            annotation, encoder = str(literal), "{}"
        elif kind == "string" and "enum" in schema:
            values = ", ".join(repr(v) for v in schema["enum"])
            annotation, encoder = f"Literal[{values}]", "{}"
        elif kind == "string":
            annotation, encoder = "str", "{}"
        elif kind in ("integer", "boolean"):
            annotation, encoder = ("int" if kind == "integer" else "bool"), "rt.text({})"
        elif kind == "array" and self.resolve(schema.get("items", {})).get("type") == "string":
            annotation, encoder = "Sequence[str]", "rt.repeated({})"
        elif kind == "object" and location == "path":
            # A path segment is text whatever the schema claims.
            annotation, encoder = "str", "{}"
        else:
            raise self.fail(op, f"parameter {name!r} of type {kind!r} has no Python mapping")
        if location == "path":
            encoder = "rt.segment({})"
        from_client = schema.get("x-from-client")
        allowed = location == "path" or from_client == "client_id"
        if from_client is not None and not (str(from_client).isidentifier() and allowed):
            raise self.fail(op, f"x-from-client of {name!r}: client_id, or an attribute in a path")
        return Param(
            py=py,
            wire=name,
            location=location,
            annotation=annotation,
            required=required,
            default=default,
            encoder=encoder,
            description=description,
            from_client=from_client is not None,
            unless_given=schema.get("x-unless-given"),
            client_attribute=str(from_client or ""),
        )

    def response_type(
        self, op: Operation, schema: Mapping[str, Any] | None, accept: list[str]
    ) -> tuple[str, str]:
        """(annotation, parser expression) of a 2xx body."""
        if schema is None:
            return "None", "rt.nothing"
        if accept == [JWT]:
            return "str", "rt.jwt"
        if "$ref" in schema:
            name = _ref_name(schema["$ref"])
            document = self.spec.schema(name).get("x-document")
            if document:
                # A document the SDK validates (pydantic, keycloak_sdk.documents), imported lazily.
                self.documents.add(str(document))
                if JWT in accept:
                    raise self.fail(op, "a JWT alternative of an x-document is not supported")
                return str(document), f"rt.model({str(document)!r})"
            self.models.add(name)
            if JWT in accept:
                return f"{name} | str", f"rt.model_or_jwt({name!r}{self.models_arg})"
            return name, f"rt.model({name!r}{self.models_arg})"
        if accept == [TEXT]:
            return "str", "rt.plain_text"
        if accept == [BINARY]:
            return "bytes", "rt.binary"
        kind = schema.get("type")
        if kind == "array":
            items = schema.get("items", {})
            if "$ref" in items:
                name = _ref_name(items["$ref"])
                self.models.add(name)
                return f"list[{name}]", f"rt.model_list({name!r}{self.models_arg})"
            if items.get("type") == "string":
                return "list[str]", "rt.strings"
            if items.get("type") == "object":
                # Free-form objects (maps of provider properties): plain dictionaries.
                return "list[dict[str, Any]]", "rt.json_objects"
        if kind == "object":
            return "dict[str, Any]", "rt.json_object"
        if kind in ("integer", "boolean", "string"):
            python = {"integer": "int", "boolean": "bool", "string": "str"}[kind]
            return python, f"rt.json_scalar({python})"
        raise self.fail(op, "its response body is neither a schema $ref nor an array of them")

    # -- operations → methods

    def namespace_of(self, op: Operation) -> tuple[str, ...]:
        tags = op.raw.get("tags") or []
        if not tags:
            raise self.fail(op, "needs a tag (its namespace) or a dotted x-sdk-method")
        tag = self.tags.get(tags[0], {})
        return tuple(str(tag.get("x-sdk-namespace") or snake(tags[0])).split("."))

    def split_name(self, op: Operation, name: str) -> tuple[tuple[str, ...], str]:
        if "." in name:
            *ns, method = name.split(".")
            return tuple(ns), method
        return self.namespace_of(op), name

    def methods(self, op: Operation) -> list[Method]:
        raw = op.raw
        variants = raw.get("x-sdk-methods") or [
            {"name": raw.get("x-sdk-method") or op.operation_id}
        ]
        out = []
        for variant in variants:
            unknown = set(variant) - VARIANT_KEYS
            if unknown:
                raise self.fail(op, f"x-sdk-methods has unknown keys {sorted(unknown)}")
            out.append(self.method(op, variant))
        return out

    def method(self, op: Operation, variant: Mapping[str, Any]) -> Method:
        raw = op.raw
        namespace, name = self.split_name(op, str(variant["name"]))
        if not name.isidentifier() or keyword.iskeyword(name):
            raise self.fail(op, f"{name!r} is not a Python method name")
        url_builder = bool(raw.get("x-url-builder"))
        client_auth = bool(raw.get("x-client-authentication"))
        params: list[Param] = []
        fixed: list[Fixed] = []
        omit = set(variant.get("omit", []))
        only = set(variant["only"]) if "only" in variant else None
        fixed_values = dict(variant.get("fixed", {}))

        security = [next(iter(s), None) for s in raw.get("security", []) if s]
        # OpenAPI's empty requirement `{}` among the alternatives makes the scheme optional.
        anonymous_allowed = any(not s for s in raw.get("security", []))
        bearer_mode = variant.get("bearer")
        if "bearerAccessToken" in security or bearer_mode == "optional":
            token_name = str(raw.get("x-token-parameter", DEFAULT_TOKEN_PARAMETER))
            optional = bearer_mode == "optional" or anonymous_allowed
            params.append(
                Param(
                    py=token_name,
                    wire="Authorization",
                    location="bearer",
                    annotation="str",
                    required=not optional,
                    default=None,
                    encoder="rt.token({})",
                    description="The bearer token sent in `Authorization`."
                    + (
                        (
                            " Without it the client authenticates itself."
                            if client_auth
                            else " Optional: without it the request is anonymous."
                        )
                        if optional
                        else ""
                    ),
                )
            )
        elif security and security != ["clientSecretBasic"]:
            raise self.fail(op, f"security {security} has no SDK mapping")

        for p in raw.get("parameters", []):
            location = p.get("in")
            if location not in PARAMETER_LOCATIONS:
                raise self.fail(op, f"parameter {p.get('name')!r} in {location!r} is not supported")
            schema = {**p.get("schema", {}), **{k: v for k, v in p.items() if k.startswith("x-")}}
            if p.get("description"):
                schema["description"] = p["description"]
            wire = p["name"]
            if wire in fixed_values:
                fixed.append(Fixed(wire, location, repr(_wire_text(fixed_values.pop(wire)))))
                continue
            if wire in omit or (
                only is not None and wire not in only and not schema.get("x-from-client")
            ):
                continue
            required = location == "path" or bool(p.get("required")) or wire in (only or ())
            params.append(self.field(op, wire, schema, location, required))

        form_body = False
        body = raw.get("requestBody")
        body_schema_ref = variant.get("body")
        raw_content: str | None = None
        if body is not None:
            content = body.get("content", {})
            texts = [m for m in content if m.split(";")[0].strip() == TEXT]
            json_schema = content.get(JSON, {}).get("schema", {})
            if texts and JSON not in content and FORM not in content:
                # A raw text body: the argument is the text itself.
                py = str(body.get("x-body-name") or "body")
                params.append(
                    Param(py, "body", "content", "str", True, None, "rt.text_body({})", "")
                )
                raw_content = texts[0]
            elif json_schema.get("type") == "string":
                # JSON the server reads as raw text: a mapping is serialized, text sent as is.
                py = str(body.get("x-body-name") or "body")
                params.append(
                    Param(
                        py,
                        "body",
                        "content",
                        "str | Mapping[str, Any] | rt.ToDict",
                        True,
                        None,
                        "rt.json_text_body({})",
                        _flat(body.get("description")),
                    )
                )
                raw_content = JSON
            elif json_schema.get("type") in ("object", "array") and "$ref" not in json_schema.get(
                "items", {}
            ):
                py = str(body.get("x-body-name") or "body")
                items = json_schema.get("items", {}).get("type")
                if json_schema["type"] == "array" and items != "string":
                    raise self.fail(op, "a JSON array body must hold schema $refs or strings")
                annotation = "Sequence[str]" if items == "string" else "Mapping[str, Any]"
                params.append(
                    Param(
                        py,
                        "body",
                        "json",
                        annotation,
                        True,
                        None,
                        "rt.plain_json({})",
                        _flat(body.get("description")),
                    )
                )
            elif FORM in content and JSON not in content:
                form_body = True
                schema = {"$ref": body_schema_ref} if body_schema_ref else content[FORM]["schema"]
                if "$ref" not in schema and "properties" not in schema:
                    raise self.fail(op, "a form body must be an object schema (or x-sdk-methods)")
                form = self.resolve(schema)
                required = set(form.get("required", []))
                for wire, prop in form.get("properties", {}).items():
                    enum = prop.get("enum")
                    if wire in fixed_values:
                        fixed.append(Fixed(wire, "form", repr(_wire_text(fixed_values.pop(wire)))))
                    elif isinstance(enum, list) and len(enum) == 1:
                        fixed.append(Fixed(wire, "form", repr(str(enum[0]))))
                    elif wire in omit or (wire == "client_id" and client_auth):
                        continue
                    else:
                        params.append(self.field(op, wire, prop, "form", wire in required))
            elif JSON in content:
                schema = content[JSON]["schema"]
                py = str(body.get("x-body-name") or "body")
                if "$ref" in schema:
                    model_name = _ref_name(schema["$ref"])
                    annotation, min_items = model_name, 0
                elif schema.get("type") == "array" and "$ref" in schema.get("items", {}):
                    model_name = _ref_name(schema["items"]["$ref"])
                    annotation, min_items = (
                        f"Sequence[{model_name}]",
                        int(schema.get("minItems", 0)),
                    )
                else:
                    raise self.fail(op, "a JSON body must be a schema $ref or an array of them")
                self.models.add(model_name)
                encoder = "rt.json_body({}" + (f", min_items={min_items})" if min_items else ")")
                params.append(
                    Param(
                        py,
                        "body",
                        "json",
                        annotation,
                        True,
                        None,
                        encoder,
                        _flat(body.get("description")),
                    )
                )
            else:
                raise self.fail(op, f"request body {sorted(content)} is neither form nor JSON")
        if fixed_values:
            raise self.fail(op, f"fixed values for unknown fields {sorted(fixed_values)}")

        names = [p.py for p in params]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise self.fail(op, f"two arguments named {duplicates}; set x-python-name")
        client_fields = [p for p in params if p.from_client]
        params = [p for p in params if not p.from_client]
        paging = raw.get("x-paging")
        if paging is not None:
            offset, limit = str(paging.get("offset", "")), str(paging.get("limit", ""))
            query = {p.wire: p.py for p in params if p.location == "query"}
            if offset not in query or limit not in query:
                raise self.fail(op, f"x-paging names query parameters it lacks: {paging}")
            paging = (query[offset], query[limit])

        expected, response_schema, contents = self.successes(op, variant)
        accept = variant.get("accept") or ([JSON] if JSON in contents else contents[:1])
        accept = [accept] if isinstance(accept, str) else list(accept)
        for media in accept:
            if media not in contents and response_schema is not None:
                raise self.fail(op, f"accept {media!r} is not one of its responses {contents}")
        if media_accept := [m for m in accept if m in (TEXT, BINARY)]:
            accept = media_accept
        if variant.get("response") == "raw":
            returns, parse = "rt.RawResponse", "rt.raw"
        elif url_builder:
            returns, parse = "str", "rt.not_sent"
        else:
            returns, parse = self.response_type(op, response_schema, accept)
        if parse == "rt.nothing" and raw.get("x-created-id"):
            # x-created-id: "Created" with no body; the new resource's id is in Location.
            returns, parse = "str | None", "rt.created_id"

        document = str(raw.get("x-discovery-document") or self.spec_primary)
        key = op.discovery_key
        suffix = self.suffix(op)
        endpoint = {
            "method": repr(op.method.upper()),
            "path": repr(suffix),
            "expected": repr(tuple(expected)),
            "key": repr(key),
        }
        if document != self.spec_primary:
            endpoint["document"] = repr(document)
        if raw.get("x-error-style", "oauth") != "oauth":
            style = raw["x-error-style"]
            if style != "status":
                raise self.fail(op, f"x-error-style {style!r} is neither oauth nor status")
            endpoint["errors"] = repr(style)
        if client_auth:
            endpoint["client_auth"] = "True"
        if raw.get("x-retry"):
            endpoint["retry"] = "True"
        if accept != [JSON] and accept and not url_builder:
            endpoint["accept"] = repr(", ".join(accept))
        if raw.get("x-loads-discovery-document"):
            endpoint["loads_document"] = repr(raw["x-loads-discovery-document"])

        method = Method(
            namespace=namespace,
            name=name,
            operation=op,
            params=params,
            fixed=fixed,
            returns=returns,
            parse=parse,
            endpoint=endpoint,
            doc=[],
            url_builder=url_builder,
            client_fields=client_fields,
        )
        method._form_body = form_body
        method.paging = paging
        method.content = raw_content
        method.doc = self.docstring(op, variant, method, body_schema_ref)
        return method

    spec_primary = "openid-configuration"

    def successes(
        self, op: Operation, variant: Mapping[str, Any]
    ) -> tuple[list[int], Mapping[str, Any] | None, list[str]]:
        expected: list[int] = []
        schema: Mapping[str, Any] | None = None
        contents: list[str] = []
        for status, response in sorted(op.raw.get("responses", {}).items()):
            if not (str(status).startswith("2") or str(status).startswith("3")):
                continue
            expected.append(int(status))
            for media, body in (response.get("content") or {}).items():
                if media not in (JSON, JWT, TEXT, BINARY):
                    raise self.fail(op, f"response content {media!r} is not supported")
                contents.append(media)
                if schema is None:
                    schema = body.get("schema")
        if "response" in variant and variant["response"] != "raw":
            schema = variant["response"]
        if not expected:
            raise self.fail(op, "documents no 2xx response")
        return expected, schema, contents

    def suffix(self, op: Operation) -> str:
        """The operation's path below the URL its discovery key names."""
        if op.discovery_key is None:
            return op.path
        if op.discovery_key == "issuer":
            return op.path
        siblings = [o.path for o in self.spec.operations if o.discovery_key == op.discovery_key]
        base = str(op.raw.get("x-discovery-path") or min(siblings, key=len))
        if not op.path.startswith(base):
            raise self.fail(op, f"path is not below {base} (set x-discovery-path)")
        return op.path[len(base) :]

    def docstring(
        self, op: Operation, variant: Mapping[str, Any], method: Method, body_ref: str | None
    ) -> list[str]:
        raw = op.raw
        lines: list[str] = []
        summary = _flat(variant.get("summary") or raw.get("summary") or method.label)
        lines.extend(textwrap.wrap(summary, 88))
        extra = []
        if body_ref:
            extra.append(_flat(self.resolve({"$ref": body_ref}).get("description")))
        if not variant.get("summary"):
            extra.append(_flat(raw.get("description")))
        text = " ".join(e for e in extra if e)
        if text:
            lines += ["", *textwrap.wrap(text, 88)]
        described = [p for p in method.params if p.description]
        if described:
            lines += ["", "Args:"]
            for p in described:
                entry = f"{p.py}: {p.description}"
                lines += textwrap.wrap(entry, 88, initial_indent=" " * 4, subsequent_indent=" " * 8)
        if method.parse == "rt.created_id":
            lines += ["", "Returns:", "    The new resource's id, from the `Location` header."]
        if method.paging:
            lines += ["", f"`iter_{method.name}` yields every item, page by page."]
        lines += ["", "Raises:"]
        if method.url_builder:
            lines.append("    EndpointNotAdvertisedError: the server does not advertise the URL.")
            return lines
        errors = sorted(
            int(s) for s in raw.get("responses", {}) if str(s)[0] in "45" and str(s).isdigit()
        )
        codes = ", ".join(str(s) for s in errors)
        if raw.get("x-error-style", "oauth") == "status":
            for status in errors:
                lines.append(f"    {_STATUS_ERRORS.get(status, 'ApiError')}: HTTP {status}.")
        elif errors:
            lines.append(f"    OAuthError: HTTP {codes}; the subclass names the `error` code.")
        if raw.get("x-loads-discovery-document"):
            lines.append("    EndpointNotAdvertisedError: the server has no such document.")
        elif op.discovery_key not in (None, "issuer"):
            lines.append(f"    EndpointNotAdvertisedError: discovery has no `{op.discovery_key}`.")
        # UnexpectedResponseError and TransportError: on every method, said once per class.
        return lines


_STATUS_ERRORS = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "NotFoundError",
    409: "ConflictError",
}


def _wire_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read(spec: BundledSpec, models_module: str = "") -> Api:
    """Every operation of `spec` as namespaces of methods, plus the discovery documents.

    A document without discovery (an API below the server root, as Keycloak's admin API) has
    no operation marked `x-primary`; `models_module` then names where its models live.
    """
    reader = _Reader(spec, models_module)
    documents: list[Document] = []
    by_path: dict[tuple[str, ...], Namespace] = {}

    def namespace(path: tuple[str, ...]) -> Namespace:
        if path not in by_path:
            tag: Mapping[str, Any] = next(
                (
                    t
                    for t in reader.tags.values()
                    if str(t.get("x-sdk-namespace") or snake(t["name"])) == ".".join(path)
                ),
                {},
            )
            node = Namespace(path, _flat(tag.get("description")) or f"`client.{'.'.join(path)}`.")
            by_path[path] = node
            if len(path) > 1:
                namespace(path[:-1]).children.append(node)
        return by_path[path]

    primaries = [o for o in spec.operations if o.raw.get("x-primary")]
    discovered = any(o.discovery_key for o in spec.operations)
    if (primaries or discovered) and (
        len(primaries) != 1 or not primaries[0].raw.get("x-loads-discovery-document")
    ):
        raise SpecError(
            "exactly one operation must load the primary discovery document "
            "(x-loads-discovery-document with x-primary: true)"
        )
    if primaries:
        reader.spec_primary = str(primaries[0].raw["x-loads-discovery-document"])
    for op in spec.operations:
        loads = op.raw.get("x-loads-discovery-document")
        if loads and op.raw.get("x-primary"):
            returns, parse = reader.response_type(op, reader.successes(op, {})[1], [JSON])
            documents.append(Document(str(loads), returns, "", "", True))
            documents[-1].parse = parse
            documents[-1].endpoint = {
                "method": repr("GET"),
                "path": repr(op.path),
                "expected": repr(tuple(reader.successes(op, {})[0])),
                "key": repr("issuer"),
                "retry": "True",
            }
            continue
        for method in reader.methods(op):
            node = namespace(method.namespace)
            if any(m.name == method.name for m in node.methods):
                raise reader.fail(op, f"a second method named {method.label}")
            node.methods.append(method)
            if loads:
                module = "_".join(method.namespace)
                document = Document(str(loads), method.returns, method.builder, module, False)
                documents.append(document)
    for node in by_path.values():
        taken = {m.name for m in node.methods}
        clash = sorted(taken & {c.attribute for c in node.children})
        if clash:
            raise SpecError(f"namespace {'.'.join(node.path)}: {clash} is a method and a group")
    lasts = [n.path[-1] for n in by_path.values()]
    for node in by_path.values():
        node.qualified = lasts.count(node.path[-1]) > 1
    classes = [n.class_name for n in by_path.values()]
    if len(set(classes)) != len(classes):
        raise SpecError(f"two namespaces give the same class name: {sorted(classes)}")
    seen: dict[str, str] = {}
    for node in sorted(by_path.values(), key=lambda n: n.path):
        for method in node.methods:
            content = repr(sorted(method.endpoint.items()))
            if content not in seen:
                base = "_" + method.operation.operation_id.upper()
                taken = set(seen.values())
                name, n = base, 2
                while name in taken:
                    name, n = f"{base}_{n}", n + 1
                seen[content] = name
            method.endpoint_name = seen[content]
    roots = sorted((n for n in by_path.values() if len(n.path) == 1), key=lambda n: n.path)
    return Api(roots, sorted(documents, key=lambda d: d.name), reader.models, reader.documents)


def walk(node: Namespace) -> list[Namespace]:
    """`node` and its descendants, parents first."""
    out = [node]
    for child in sorted(node.children, key=lambda c: c.path):
        out.extend(walk(child))
    return out
