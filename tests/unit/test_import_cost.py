"""What users import loads only what it needs: heavy modules wait for the first use.

Import *time* is measured in `make bench` (benchmarks/imports.py) as a ratio to
python-keycloak; here we check, in a fresh interpreter, which modules an import pulls in, so
that a new top-level import of pydantic, asyncio or a framework fails a test, not a benchmark.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "pydantic",
    "asyncio",
    "httpx",
    "keycloak_sdk.documents",
    "flask",
    "starlette",
    "fastapi",
    "django",
)


def loaded_after(statement: str) -> set[str]:
    probe = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "from keycloak_sdk import KeycloakClient",
        "from keycloak_sdk.extensions import Client",
        "from keycloak_sdk.extensions import AsyncClient",
        "import keycloak_sdk.extensions.jose",
    ],
)
def test_import_leaves_heavy_modules_for_first_use(statement: str) -> None:
    assert loaded_after(statement) & set(HEAVY) == set()


def test_core_client_import_loads_no_wire_model_or_cryptography() -> None:
    loaded = loaded_after("from keycloak_sdk import KeycloakClient")
    assert {"attrs", "cryptography", "keycloak_sdk._wire.models"} & loaded == set()


def test_first_use_still_loads_what_it_needs() -> None:
    loaded = loaded_after(
        "from keycloak_sdk.extensions import AsyncClient;"
        " AsyncClient(server_url='https://id.example.com', realm='r', client_id='c')._jwks"
    )
    assert "asyncio" in loaded
