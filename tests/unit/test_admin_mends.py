"""The mends of Keycloak's admin OpenAPI document (generator/admin_mends.py): each mend on a
small document, then all of them on every captured version, checked by openapi-spec-validator
and by openapi-python-client generating every operation."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from generator import admin_mends
from generator.admin_capture import admin_versions, load_raw, operations, render
from generator.admin_mends import (
    MENDS,
    OPENAPI_PYTHON_CLIENT,
    TEXT_BODY,
    MendError,
    mend,
    mended,
)

R = "/admin/realms/{realm}"
REALM_PARAMETER = {"in": "path", "name": "realm", "required": True, "schema": {"type": "string"}}


def _document(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Keycloak Admin REST API", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def _ok() -> dict[str, Any]:
    return {"204": {"description": "No Content"}}


def _changes(document: dict[str, Any], name: str) -> list[str]:
    return dict(mend(document).applied)[name]


def test_mends_have_unique_names_and_say_what_and_why() -> None:
    names = [m.name for m in MENDS]
    assert len(names) == len(set(names))
    for m in MENDS:
        assert m.defect and m.fix


def test_typed_parameter_defaults() -> None:
    parameters = [
        {"in": "query", "name": "max", "schema": {"type": "integer", "default": "100"}},
        {"in": "query", "name": "brief", "schema": {"type": "boolean", "default": "false"}},
        {"in": "query", "name": "ratio", "schema": {"type": "number", "default": "0.5"}},
        {"in": "query", "name": "search", "schema": {"type": "string", "default": "100"}},
    ]
    schemas = {
        "Page": {"type": "object", "properties": {"size": {"type": "integer", "default": "10"}}}
    }
    raw = _document(
        {f"{R}/users": {"get": {"parameters": parameters, "responses": _ok()}}}, schemas
    )
    result = mend(raw)
    params = result.document["paths"][f"{R}/users"]["get"]["parameters"]
    assert [p["schema"]["default"] for p in params] == [100, False, 0.5, "100"]
    assert result.document["components"]["schemas"]["Page"]["properties"]["size"]["default"] == 10
    changes = dict(result.applied)["typed-parameter-defaults"]
    assert f"GET {R}/users parameter max: default '100' -> 100" in changes
    assert len(changes) == 4
    # the input is left alone
    assert raw["paths"][f"{R}/users"]["get"]["parameters"][0]["schema"]["default"] == "100"


@pytest.mark.parametrize(("kind", "value"), [("integer", "ten"), ("boolean", "yes")])
def test_a_default_that_spells_no_value_is_an_error(kind: str, value: str) -> None:
    parameters = [{"in": "query", "name": "x", "schema": {"type": kind, "default": value}}]
    raw = _document({f"{R}/users": {"get": {"parameters": parameters, "responses": _ok()}}})
    with pytest.raises(MendError, match="is not a"):
        mend(raw)


def test_bearer_security_and_server() -> None:
    result = mend(_document({})).document
    assert result["security"] == [{"bearerAuth": []}]
    scheme = result["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    (server,) = result["servers"]
    assert server["url"] == "{keycloakUrl}"
    assert server["variables"]["keycloakUrl"]["default"] == "http://localhost:8080"


def test_existing_security_and_servers_are_kept() -> None:
    raw = _document({})
    raw["security"] = [{"mine": []}]
    raw["servers"] = [{"url": "https://sso.example"}]
    result = mend(raw)
    assert result.document["security"] == [{"mine": []}]
    assert result.document["servers"] == [{"url": "https://sso.example"}]
    assert dict(result.applied)["server-url"] == []


def test_raw_text_bodies() -> None:
    text = {"schema": {"type": "string"}}
    raw = _document(
        {
            f"{R}/localization/{{locale}}/{{key}}": {
                "put": {"requestBody": {"content": {"text/plain": text}}, "responses": _ok()},
                "get": {
                    "responses": {"200": {"description": "OK", "content": {"text/plain": text}}}
                },
            },
            f"{R}/client-description-converter": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": text,
                            "application/xml": text,
                            "text/plain": text,
                        }
                    },
                    "responses": _ok(),
                }
            },
        }
    )
    result = mend(raw)
    paths = result.document["paths"]
    binary = {TEXT_BODY: {"schema": {"type": "string", "format": "binary"}}}
    assert paths[f"{R}/localization/{{locale}}/{{key}}"]["put"]["requestBody"]["content"] == binary
    assert paths[f"{R}/client-description-converter"]["post"]["requestBody"]["content"] == binary
    # a text/plain *response* stays text
    get = paths[f"{R}/localization/{{locale}}/{{key}}"]["get"]
    assert get["responses"]["200"]["content"] == {"text/plain": text}
    changes = dict(result.applied)["raw-text-bodies"]
    assert any("dropped application/json, application/xml" in c for c in changes)


def test_a_text_body_next_to_a_structured_one_is_an_error() -> None:
    content = {
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": {"$ref": "#/components/schemas/X"}},
    }
    raw = _document({f"{R}/x": {"post": {"requestBody": {"content": content}, "responses": _ok()}}})
    with pytest.raises(MendError, match="next to structured"):
        mend(raw)


def test_json_only_alternatives() -> None:
    same = {"schema": {"$ref": "#/components/schemas/Workflow"}}
    other = {"schema": {"type": "string"}}
    raw = _document(
        {
            f"{R}/workflows": {
                "post": {
                    "requestBody": {
                        "content": {"application/yaml": same, "application/json": same}
                    },
                    "responses": _ok(),
                },
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": same, "application/xml": other},
                        }
                    }
                },
            }
        }
    )
    result = mend(raw).document["paths"][f"{R}/workflows"]
    assert result["post"]["requestBody"]["content"] == {"application/json": same}
    # a different schema is a different representation: kept
    assert set(result["get"]["responses"]["200"]["content"]) == {
        "application/json",
        "application/xml",
    }


def test_json_wildcard_responses() -> None:
    body = {"schema": {"type": "object"}}
    raw = _document(
        {f"{R}/x": {"get": {"responses": {"200": {"description": "OK", "content": {"*/*": body}}}}}}
    )
    content = mend(raw).document["paths"][f"{R}/x"]["get"]["responses"]["200"]["content"]
    assert content == {"application/json": body}


def test_itemless_arrays() -> None:
    schemas = {
        "Condition": {
            "type": "object",
            "properties": {
                "configuration": {"type": "array"},
                "ok": {"type": "array", "items": {}},
            },
        }
    }
    result = mend(_document({}, schemas))
    properties = result.document["components"]["schemas"]["Condition"]["properties"]
    assert properties["configuration"]["type"] == "object"
    assert properties["configuration"]["additionalProperties"] is True
    assert properties["ok"] == {"type": "array", "items": {}}
    assert dict(result.applied)["itemless-arrays"] == [
        "schema Condition.configuration: array without items -> JSON object"
    ]


def test_duplicate_path_variables() -> None:
    path = f"{R}/clients/{{client-uuid}}/roles/{{role-name}}/composites/clients/{{client-uuid}}"
    parameters = [
        {"in": "path", "name": "client-uuid", "required": True, "schema": {"type": "string"}},
        {"in": "path", "name": "role-name", "required": True, "schema": {"type": "string"}},
    ]
    raw = _document(
        {
            path: {
                "parameters": [REALM_PARAMETER],
                "get": {"parameters": parameters, "responses": _ok()},
            }
        }
    )
    result = mend(raw).document["paths"]
    fixed = (
        f"{R}/clients/{{client-uuid}}/roles/{{role-name}}/composites/clients/{{targetClientUuid}}"
    )
    assert list(result) == [fixed]
    names = [p["name"] for p in result[fixed]["get"]["parameters"]]
    assert names == ["client-uuid", "role-name", "targetClientUuid"]


def test_untyped_json_responses() -> None:
    executions = f"{R}/authentication/flows/{{flowAlias}}/executions"
    typed = {"200": {"description": "OK", "content": {"application/json": {"schema": {}}}}}
    schemas = {"AuthenticationExecutionInfoRepresentation": {"type": "object"}}
    raw = _document(
        {
            executions: {"get": {"responses": {"200": {"description": "OK"}}}},
            f"{R}/authentication/executions/{{executionId}}": {"get": {"responses": typed}},
            f"{R}/clients/{{id}}/installation/providers/{{providerId}}": {
                "get": {"responses": {"200": {"description": "OK"}}}
            },
        },
        schemas,
    )
    result = mend(raw)
    paths = result.document["paths"]
    assert paths[executions]["get"]["responses"]["200"]["content"] == {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/AuthenticationExecutionInfoRepresentation"},
            }
        }
    }
    # declared already: left alone; not in the table: stays untyped
    assert paths[f"{R}/authentication/executions/{{executionId}}"]["get"]["responses"] == typed
    installation = paths[f"{R}/clients/{{id}}/installation/providers/{{providerId}}"]["get"]
    assert "content" not in installation["responses"]["200"]
    assert dict(result.applied)["untyped-json-responses"] == [
        f"GET {executions} 200: declared application/json"
    ]
    del raw["components"]["schemas"]["AuthenticationExecutionInfoRepresentation"]
    with pytest.raises(MendError, match="not in this document"):
        mend(raw)


VERSIONS = admin_versions()


@pytest.mark.parametrize("version", VERSIONS)
def test_mended_documents_validate_with_no_error(version: str) -> None:
    raw = load_raw(version)
    assert list(OpenAPIV30SpecValidator(raw).iter_errors())  # Keycloak's defects are real
    errors = [e.message for e in OpenAPIV30SpecValidator(mended(version)).iter_errors()]
    assert errors == []


def test_26_7_3_raw_document_has_the_32_known_default_errors() -> None:
    errors = list(OpenAPIV30SpecValidator(load_raw("26.7.3")).iter_errors())
    assert len(errors) == 32
    assert all("is not of type" in e.message for e in errors)


@pytest.mark.parametrize("version", VERSIONS)
def test_mending_is_idempotent_and_deterministic(version: str) -> None:
    raw = load_raw(version)
    before = copy.deepcopy(raw)
    once = mend(raw)
    assert raw == before
    assert render(mend(raw).document) == render(once.document)
    again = mend(once.document)
    assert again.document == once.document
    assert all(places == [] for _, places in again.applied)
    assert len(operations(once.document)) == len(operations(raw))


def test_mend_admin_command_reports_and_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mended.json"
    assert admin_mends.main(["--keycloak-version", "26.7.3", "--output", str(out)]) == 0
    report = capsys.readouterr().out
    assert "typed-parameter-defaults: 32 changes" in report
    assert "raw-text-bodies: 3 changes" in report
    assert json.loads(out.read_text(encoding="utf-8")) == mended("26.7.3")
    assert admin_mends.main(["--keycloak-version", "9.9.9"]) == 1
    assert "no admin document for Keycloak 9.9.9" in capsys.readouterr().err


def _generate(version: str, tmp_path: Path) -> tuple[int, str]:
    """Run openapi-python-client on the mended document; return (endpoint modules, output)."""
    source = tmp_path / "admin.json"
    source.write_text(render(mended(version)), encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps(OPENAPI_PYTHON_CLIENT), encoding="utf-8")
    tool = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert tool, "openapi-python-client is a dev dependency"
    command = [tool, "generate", "--path", str(source), "--config", str(config)]
    command += ["--meta", "none", "--output-path", str(tmp_path / "out")]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    modules = [p for p in (tmp_path / "out" / "api").rglob("*.py") if p.name != "__init__.py"]
    return len(modules), result.stdout + result.stderr


@pytest.mark.parametrize(("version", "count"), [("26.7.3", 413), ("24.0.5", 348)])
def test_openapi_python_client_generates_every_operation(
    version: str, count: int, tmp_path: Path
) -> None:
    generated, output = _generate(version, tmp_path)
    assert "WARNING" not in output and "ERROR" not in output, output
    assert generated == count == len(operations(load_raw(version)))
    # The raw text bodies are sent as they are, with their text media type.
    (label,) = (tmp_path / "out" / "api").rglob("*credentials_credential_id_user_label.py")
    code = label.read_text(encoding="utf-8")
    assert '_kwargs["content"] = body.payload' in code
    assert f'headers["Content-Type"] = "{TEXT_BODY}"' in code
