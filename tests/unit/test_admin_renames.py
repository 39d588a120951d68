"""The admin document's schemas never take a class name the core or the extensions define."""

from __future__ import annotations

from typing import Any

import pytest

from generator import admin_generate, pipeline
from generator.spec import SpecError


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _document() -> dict[str, Any]:
    return {
        "paths": {
            "/x": {"get": {"responses": {"200": {"content": {"j": {"schema": _ref("Token")}}}}}}
        },
        "components": {
            "schemas": {
                "Token": {
                    "properties": {
                        "access": {"additionalProperties": _ref("Access")},
                        "authorization": _ref("Authorization"),
                    }
                },
                "Access": {"properties": {"roles": {"type": "array"}}},
                "Authorization": {"properties": {"permissions": {"items": _ref("Permission")}}},
                "Permission": {"properties": {"rsid": {"type": "string"}}},
            }
        },
    }


def test_a_taken_name_is_prefixed_by_its_referrer_after_the_referrer_is_renamed() -> None:
    document = _document()
    renamed = admin_generate.rename_taken_schemas(
        document, {"Access", "Authorization", "Permission"}
    )
    assert renamed == {
        "Access": "TokenAccess",
        "Authorization": "TokenAuthorization",
        "Permission": "TokenAuthorizationPermission",
    }
    schemas = document["components"]["schemas"]
    assert list(schemas) == [
        "Token",
        "TokenAccess",
        "TokenAuthorization",
        "TokenAuthorizationPermission",
    ]
    assert schemas["Token"]["properties"]["access"]["additionalProperties"] == _ref("TokenAccess")
    assert schemas["TokenAuthorization"]["properties"]["permissions"]["items"] == _ref(
        "TokenAuthorizationPermission"
    )


def test_nothing_taken_changes_nothing() -> None:
    document = _document()
    assert admin_generate.rename_taken_schemas(document, {"Unrelated"}) == {}
    assert document == _document()


def test_an_unreferenced_or_still_taken_name_stops_generation() -> None:
    with pytest.raises(SpecError, match="'Token'"):
        admin_generate.rename_taken_schemas(_document(), {"Token"})
    with pytest.raises(SpecError, match="'TokenAccess' is taken"):
        admin_generate.rename_taken_schemas(_document(), {"Access", "TokenAccess"})


def test_the_taken_names_come_from_the_core_and_the_extensions() -> None:
    names = admin_generate.public_class_names(
        pipeline.ROOT / "keycloak_sdk" / "documents", pipeline.ROOT / "extensions"
    )
    assert {"Access", "Authorization", "Confirmation", "Permission"} <= names
