"""The Admin REST API part of `make spec-diff` (generator/admin_diff.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator import spec_diff
from generator.admin_diff import describe, diff_admin, report

R = "/admin/realms/{realm}"
REALM = {"in": "path", "name": "realm", "required": True, "schema": {"type": "string"}}


def _user_path(variable: str) -> dict[str, Any]:
    return {
        "parameters": [REALM],
        "get": {
            "parameters": [
                {"in": "path", "name": variable, "required": True, "schema": {"type": "string"}},
                {"in": "query", "name": "brief", "schema": {"type": "boolean"}},
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/UserRepresentation"}
                        }
                    },
                }
            },
        },
        "delete": {"responses": {"204": {"description": "No Content"}}},
    }


OLD: dict[str, Any] = {
    "openapi": "3.0.3",
    "paths": {
        f"{R}/users/{{id}}": _user_path("id"),
        f"{R}/users/count": {"get": {"responses": {"200": {"description": "OK"}}}},
    },
    "components": {
        "schemas": {
            "UserRepresentation": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "totp": {"type": "boolean"},
                    "age": {"type": "integer"},
                    "email": {"type": "string"},
                },
            },
            "Gone": {"type": "object"},
        }
    },
}


def _new() -> dict[str, Any]:
    new = copy.deepcopy(OLD)
    user = _user_path("user-id")
    get = user["get"]
    get["parameters"][1] = {
        "in": "query",
        "name": "brief",
        "required": True,
        "schema": {"type": "boolean", "default": True},
    }
    get["parameters"].append({"in": "query", "name": "max", "schema": {"type": "integer"}})
    get["responses"]["404"] = {"description": "Not Found"}
    user["delete"]["deprecated"] = True
    user["put"] = {
        "requestBody": {"content": {"application/json": {"schema": {"type": "string"}}}},
        "responses": {"204": {"description": "No Content"}},
    }
    new["paths"] = {f"{R}/users/{{user-id}}": user}
    schemas = new["components"]["schemas"]
    del schemas["Gone"]
    schemas["Fresh"] = {"type": "object"}
    props = schemas["UserRepresentation"]["properties"]
    del props["totp"]
    props["age"] = {"type": "string"}
    props["email"]["deprecated"] = True
    props["tags"] = {"type": "array", "items": {"type": "string"}}
    return new


EXPECTED = """\
Admin REST API of Keycloak 1.0.0 → 2.0.0 (spec/keycloak/<version>/admin-openapi.json, mended)

3 → 3 operations: 1 added, 1 removed, 2 changed.

Added operations
  Keycloak 2.0.0 adds users.update: PUT /admin/realms/{realm}/users/{user-id}

Removed operations
  Keycloak 2.0.0 removes users.count: GET /admin/realms/{realm}/users/count

Changed operations
  users.delete: DELETE /admin/realms/{realm}/users/{user-id}
    Keycloak 2.0.0 deprecates it
  users.get: GET /admin/realms/{realm}/users/{user-id}
    Keycloak 2.0.0 renames path variable {id} to {user-id}
    Keycloak 2.0.0 makes query parameter `brief` required
    Keycloak 2.0.0 sets the default of query parameter `brief` to true
    Keycloak 2.0.0 adds query parameter `max` (integer, optional)
    Keycloak 2.0.0 adds response 404 (no body)

Models
  Keycloak 2.0.0 adds model Fresh
  Keycloak 2.0.0 removes model Gone
  Keycloak 2.0.0 changes property `age` of UserRepresentation from integer to string
  Keycloak 2.0.0 deprecates property `email` of UserRepresentation
  Keycloak 2.0.0 adds property `tags` (list of string) to UserRepresentation
  Keycloak 2.0.0 removes property `totp` from UserRepresentation
"""


def test_synthetic_documents_give_the_expected_report() -> None:
    assert report(diff_admin(OLD, _new(), "1.0.0", "2.0.0")) == EXPECTED


def test_identical_documents_say_so() -> None:
    diff = diff_admin(OLD, copy.deepcopy(OLD), "1.0.0", "1.0.1")
    assert diff.count == 0
    assert report(diff).endswith("Keycloak 1.0.0 and 1.0.1 offer identical admin APIs.\n")


def test_request_body_and_response_changes() -> None:
    new = copy.deepcopy(OLD)
    get = new["paths"][f"{R}/users/{{id}}"]["get"]
    get["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/UserRepresentation"},
    }
    delete = new["paths"][f"{R}/users/{{id}}"]["delete"]
    delete["requestBody"] = {
        "content": {"text/plain; charset=utf-8": {"schema": {"type": "string"}}}
    }
    del delete["responses"]["204"]
    delete["responses"]["200"] = {"description": "OK"}
    changes = {c.name: c.lines for c in diff_admin(OLD, new, "1", "2").changed}
    assert changes["users.get"] == [
        "Keycloak 2 changes response 200 from UserRepresentation as application/json to "
        "list of UserRepresentation as application/json"
    ]
    assert changes["users.delete"] == [
        "Keycloak 2 changes the request body from no body to string as text/plain; charset=utf-8",
        "Keycloak 2 adds response 200 (no body)",
        "Keycloak 2 removes response 204",
    ]


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"$ref": "#/components/schemas/X"}, "X"),
        ({"type": "array", "items": {"type": "string"}}, "list of string"),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, "map of integer"),
        ({"type": "integer", "format": "int64"}, "integer (int64)"),
        ({"type": "string", "enum": ["a", "b"]}, "string one of a, b"),
        ({}, "any"),
        (None, "any"),
    ],
)
def test_describe(schema: Any, words: str) -> None:
    assert describe(schema) == words


def test_real_26_5_6_to_26_7_3() -> None:
    from generator.admin_capture import load_raw
    from generator.admin_mends import mend

    diff = diff_admin(
        mend(load_raw("26.5.6")).document, mend(load_raw("26.7.3")).document, "26.5.6", "26.7.3"
    )
    assert (diff.operations_before, diff.operations_after) == (387, 413)
    assert (len(diff.added), len(diff.removed)) == (26, 0)
    assert "organizations.groups.list" in {c.name for c in diff.added}
    renamed = {c.name: c.lines for c in diff.changed}["roles.composites.clients.list"]
    assert renamed == ["Keycloak 26.7.3 renames path variable {client-uuid} to {targetClientUuid}"]


def test_spec_diff_prints_discovery_then_admin(capsys: pytest.CaptureFixture[str]) -> None:
    assert spec_diff.main(["24.0.5", "26.7.3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Discovery of Keycloak 24.0.5 → 26.7.3")
    assert "\nAdmin REST API of Keycloak 24.0.5 → 26.7.3" in out
    assert "348 → 413 operations: 65 added, 0 removed" in out


def test_spec_diff_admin_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert spec_diff.main(["26.4.7", "26.5.6", "--admin-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Admin REST API of Keycloak 26.4.7 → 26.5.6")
    assert "Discovery" not in out
    assert spec_diff.main(["26.4.7", "9.9.9", "--admin-only"]) == 2
    assert "no admin document for Keycloak 9.9.9" in capsys.readouterr().err
