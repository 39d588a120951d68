"""Run openapi-python-client for the wire models (attrs classes of the spec's JSON bodies)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openapi_python_client
import yaml

OPC_VERSION = "0.29.1"

# Our one change to openapi-python-client's model template: models that keep unknown JSON
# keys also answer `model["declared_field"]`, so a token response reads like the JSON it is.
_GETITEM_ORIGINAL = """    def __getitem__(self, key: str) -> {{ additional_property_type }}:
        return self.additional_properties[key]
"""
_GETITEM_PATCHED = """    def __getitem__(self, key: str) -> {{ additional_property_type }}:
        {% if additional_property_type == "Any" %}
        if key not in self.additional_properties:
            return self.to_dict()[key]
        {% endif %}
        return self.additional_properties[key]
"""
_CONTAINS_ORIGINAL = """    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
"""
_CONTAINS_PATCHED = """    def __contains__(self, key: str) -> bool:
        {% if additional_property_type == "Any" %}
        return key in self.additional_properties or key in self.to_dict()
        {% else %}
        return key in self.additional_properties
        {% endif %}
"""

# Fields that carry credentials or tokens never appear in a model's repr (logs, tracebacks).
SENSITIVE_FIELDS = (
    "access_token",
    "actor_token",
    "assertion",
    "auth_req_id",
    "claim_token",
    "client_assertion",
    "client_secret",
    "code",
    "code_verifier",
    "device_code",
    "id_token",
    "id_token_hint",
    "login_hint_token",
    "password",
    "refresh_token",
    "registration_access_token",
    "request",
    "rpt",
    "subject_token",
    "ticket",
    "token",
)
_DECLARE_ORIGINAL = """{% macro declare_property(property) %}
"""
_DECLARE_PATCHED = """{% macro declare_property(property) %}
{% if property.python_name in SENSITIVE_FIELDS %}
{% set default = property.default.python_code.as_unembedded_code() if property.default is not none
   else ("UNSET" if not property.required else none) %}
{{ property.python_name }}: {{ property.get_type_string().as_unembedded_code() }} = \\
    _attrs_field(repr=False{% if default is not none %}, default={{ default }}{% endif %})
{% else %}
"""
_DECLARE_END_ORIGINAL = """{{ property.to_string() | as_unembedded_code }}
{%- endif -%}
{% endmacro %}
"""
_DECLARE_END_PATCHED = """{{ property.to_string() | as_unembedded_code }}
{%- endif -%}
{% endif %}
{% endmacro %}
"""

# Every model gets the readable repr of keycloak_sdk/_repr.py (generator/runtime/_repr.py).
_DEFINE_ORIGINAL = """@_attrs_define
class {{ class_name }}:
"""
_DEFINE_PATCHED = """@_readable_repr
@_attrs_define(repr=False)
class {{ class_name }}:
"""
_IMPORT_ORIGINAL = """from attrs import field as _attrs_field
"""
_IMPORT_PATCHED = """from attrs import field as _attrs_field
from keycloak_sdk._repr import readable_repr as _readable_repr
"""

_CONFIG = {
    "project_name_override": "keycloak-sdk-wire",
    "package_name_override": "_wire",
    "literal_enums": True,
    "docstrings_on_attributes": False,
    "post_hooks": [],
}


class WireError(Exception):
    """openapi-python-client failed or is not the pinned version."""


def _patched_templates(into: Path, extra_sensitive: tuple[str, ...] = ()) -> Path:
    source = Path(openapi_python_client.__file__).parent / "templates" / "model.py.jinja"
    text = source.read_text(encoding="utf-8")
    hidden = sorted({*SENSITIVE_FIELDS, *extra_sensitive})
    sensitive = "{% set SENSITIVE_FIELDS = " + repr(hidden) + " %}\n"
    for original, patched in (
        (_GETITEM_ORIGINAL, _GETITEM_PATCHED),
        (_CONTAINS_ORIGINAL, _CONTAINS_PATCHED),
        (_DECLARE_ORIGINAL, sensitive + _DECLARE_PATCHED),
        (_DECLARE_END_ORIGINAL, _DECLARE_END_PATCHED),
        (_DEFINE_ORIGINAL, _DEFINE_PATCHED),
        (_IMPORT_ORIGINAL, _IMPORT_PATCHED),
    ):
        if original not in text:
            raise WireError(
                "openapi-python-client's model template changed; update generator/wire.py"
            )
        text = text.replace(original, patched)
    into.mkdir(parents=True, exist_ok=True)
    (into / "model.py.jinja").write_text(text, encoding="utf-8")
    return into


_NOT_UNSET = re.compile(r"not isinstance\(\s*([\w.]+)\s*,\s*Unset\s*\)")
_IS_UNSET = re.compile(r"isinstance\(\s*([\w.]+)\s*,\s*Unset\s*\)")
_UNSET_IMPORT = re.compile(r"^from [\w.]*types import UNSET, Unset\n", re.MULTILINE)
_UNDERSCORE_KEY = re.compile(r'd\.pop\("_(\w+)"')


def none_for_unset(text: str) -> str:
    """An optional field is `X | None` (None when absent), not openapi-python-client's Unset.

    Responses read naturally (`tokens.scope` is a `str | None`, printed only when set); a
    request model leaves None fields out of its JSON, as Unset did.
    """
    text = _UNSET_IMPORT.sub("", text)
    text = _NOT_UNSET.sub(r"\1 is not None", text)
    text = _IS_UNSET.sub(r"\1 is None", text)
    text = re.sub(r"\bUNSET\b", "None", text)
    text = re.sub(r"\bUnset\b", "None", text)
    return text.replace("None | None", "None")


def pythonic_names(text: str) -> str:
    """JSON keys with a leading underscore (`_id`) become plain attributes (`id`, not field_id)."""
    for name in _UNDERSCORE_KEY.findall(text):
        if not re.search(rf"^    {name}: ", text, re.MULTILINE):
            text = re.sub(rf"\bfield_{name}\b", name, text)
    return text


def generate_wire(
    document: dict[str, Any],
    work: Path,
    package_dir: Path,
    extra_sensitive: tuple[str, ...] = (),
) -> None:
    """Write the openapi-python-client package for `document` to `package_dir`.

    `extra_sensitive`: more field names (besides SENSITIVE_FIELDS) kept out of reprs.
    """
    installed = openapi_python_client.__version__
    if installed != OPC_VERSION:
        raise WireError(f"openapi-python-client {OPC_VERSION} is pinned; {installed} is installed")
    work.mkdir(parents=True, exist_ok=True)
    spec_path = work / "bundled.yaml"
    spec_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    config_path = work / "opc-config.yaml"
    config_path.write_text(yaml.safe_dump(_CONFIG, sort_keys=True), encoding="utf-8")
    templates = _patched_templates(work / "templates", extra_sensitive)
    cli = Path(sys.executable).with_name("openapi-python-client")
    command = [
        str(cli) if cli.exists() else "openapi-python-client",
        "generate",
        "--path",
        str(spec_path),
        "--meta",
        "none",
        "--config",
        str(config_path),
        "--output-path",
        str(package_dir),
        "--custom-template-path",
        str(templates),
        "--fail-on-warning",
        "--overwrite",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise WireError(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")
    # The README/.gitignore opc writes describe its own package layout, not ours; its client,
    # errors and api/ serve endpoint functions, which keycloak_sdk/resources/ replaces.
    for extra in (".gitignore", "README.md", "client.py", "errors.py"):
        (package_dir / extra).unlink(missing_ok=True)
    for folder in ("__pycache__", "api"):
        shutil.rmtree(package_dir / folder, ignore_errors=True)
    for model in sorted((package_dir / "models").glob("*.py")):
        text = model.read_text(encoding="utf-8")
        model.write_text(pythonic_names(none_for_unset(text)), encoding="utf-8")
    # opc's package __init__ imports httpx eagerly; the models must be importable without it.
    (package_dir / "__init__.py").write_text(
        '"""Wire models: attrs classes for the JSON bodies of spec/openapi/ '
        '(openapi-python-client).\n\nImport them from `keycloak_sdk.models`.\n"""\n',
        encoding="utf-8",
    )
