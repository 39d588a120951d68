"""Adding an endpoint is a spec-only change: a fixture spec gives typed sync and async methods.

tests/generated/fixtures/widgets.yaml adds operations of every shape next to spec/openapi/
(path and query parameters, a JSON body, a form body with client authentication, a JWT
answer, an API below the server root, a nested group). We generate a package from that spec
with the unchanged templates, then, in a fresh interpreter that imports the generated
package, call every new method through httpx.MockTransport and check the requests; mypy
--strict checks the methods' types.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import pipeline
from generator.pipeline import GenerationError, generate

FIXTURE = Path(__file__).with_name("fixtures") / "widgets.yaml"

USAGE = """
from __future__ import annotations

import asyncio
import json

import httpx

from keycloak_sdk import AsyncKeycloakClient, ConflictError, KeycloakClient
from keycloak_sdk.models import Widget

ISSUER = "http://127.0.0.1:9/realms/demo"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/protocol/openid-connect/auth",
    "token_endpoint": ISSUER + "/protocol/openid-connect/token",
    "jwks_uri": ISSUER + "/protocol/openid-connect/certs",
    "widget_token_endpoint": ISSUER + "/protocol/openid-connect/widget-token",
    "response_types_supported": ["code"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256"],
}
seen: list[tuple[str, str, str | None, str]] = []


def answer(request: httpx.Request) -> httpx.Response:
    seen.append(
        (
            request.method,
            str(request.url),
            request.headers.get("authorization"),
            request.content.decode(),
        )
    )
    path = request.url.path
    if path.endswith("/openid-configuration"):
        return httpx.Response(200, json=DISCOVERY)
    if path.endswith("/widget-token"):
        return httpx.Response(200, text="h.p.s", headers={"content-type": "application/jwt"})
    if request.method == "POST" and path.endswith("/widgets"):
        if json.loads(request.content)["name"] == "taken":
            return httpx.Response(409, json={"error": "conflict"})
        return httpx.Response(201)
    if path.endswith("/widgets"):
        return httpx.Response(200, json=[{"id": "w1", "name": "one", "size": 3}])
    return httpx.Response(200, json={"id": "w 2", "name": "two"})


def sync_calls() -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with KeycloakClient.from_issuer(
        ISSUER, client_id="app", client_secret="s3cret", http_client=http
    ) as client:
        widgets: list[Widget] = client.widgets.list("tok", "demo", search="on", first=5)
        assert widgets[0].name == "one" and widgets[0].size == 3
        one: Widget = client.widgets.get("tok", "demo", "w 2")
        assert one.id == "w 2"
        created: None = client.widgets.create("tok", "demo", Widget(name="new"))
        assert created is None
        try:
            client.widgets.create("tok", "demo", Widget(name="taken"))
        except ConflictError as exc:
            assert exc.status_code == 409
        else:
            raise AssertionError("a 409 must raise ConflictError")
        jwt: str = client.widgets.tokens.issue("w1", scope=["a", "b"], colors=["red", "blue"])
        assert jwt == "h.p.s"


async def async_calls() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncKeycloakClient.from_issuer(ISSUER, client_id="app", http_client=http) as client:
        widgets: list[Widget] = await client.widgets.list("tok", "demo")
        assert widgets[0].id == "w1"
        one: Widget = await client.widgets.get("tok", "demo", "w1")
        assert one.name == "two"
        jwt: str = await client.widgets.tokens.issue("w1")
        assert jwt == "h.p.s"


sync_calls()
asyncio.run(async_calls())
print(json.dumps(seen))
"""

BASE = "http://127.0.0.1:9"
ISSUER = f"{BASE}/realms/demo"
TOKEN = f"{ISSUER}/protocol/openid-connect/widget-token"
DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"


@pytest.fixture(scope="module")
def fixture_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec_dir = tmp_path_factory.mktemp("spec") / "spec"
    shutil.copytree(pipeline.SPEC_DIR, spec_dir)
    shutil.copy(FIXTURE, spec_dir / "openapi" / FIXTURE.name)
    root = tmp_path_factory.mktemp("generated")
    templates = _snapshot(pipeline.ROOT / "generator" / "templates")
    # The default version's snapshot, whichever Keycloak the session runs against.
    generate(
        output=root / "keycloak_sdk",
        spec_dir=spec_dir,
        keycloak_version=pipeline.DEFAULT_KEYCLOAK_VERSION,
    )
    assert _snapshot(pipeline.ROOT / "generator" / "templates") == templates
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))}


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "MYPYPATH": str(root)}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def test_new_operations_make_the_right_requests(fixture_package: Path) -> None:
    (fixture_package / "usage.py").write_text(textwrap.dedent(USAGE))
    result = _run(fixture_package, "usage.py")
    assert result.returncode == 0, result.stderr
    import json

    seen = [tuple(row) for row in json.loads(result.stdout.splitlines()[-1])]
    widgets = f"{BASE}/admin/realms/demo/widgets"
    basic = "Basic YXBwOnMzY3JldA=="
    assert seen == [
        ("GET", DISCOVERY_URL, None, ""),
        ("GET", f"{widgets}?search=on&first=5&max=100", "Bearer tok", ""),
        ("GET", f"{widgets}/w%202", "Bearer tok", ""),
        ("POST", widgets, "Bearer tok", '{"name":"new"}'),
        ("POST", widgets, "Bearer tok", '{"name":"taken"}'),
        ("POST", TOKEN, basic, "widget_id=w1&scope=a+b&colors=red&colors=blue"),
        ("GET", DISCOVERY_URL, None, ""),
        ("GET", f"{widgets}?max=100", "Bearer tok", ""),
        ("GET", f"{widgets}/w1", "Bearer tok", ""),
        ("POST", TOKEN, None, "widget_id=w1&client_id=app"),
    ]


def test_new_methods_are_typed_the_same_sync_and_async(fixture_package: Path) -> None:
    (fixture_package / "usage.py").write_text(textwrap.dedent(USAGE))
    (fixture_package / "misuse.py").write_text(
        textwrap.dedent(
            """
            from keycloak_sdk import KeycloakClient

            def misuse(client: KeycloakClient) -> None:
                client.widgets.get("tok", "demo")
                client.widgets.list("tok", "demo", first="5")
                name: int = client.widgets.tokens.issue("w1")
            """
        )
    )
    ok = _run(fixture_package, "-m", "mypy", "--strict", "--no-incremental", "usage.py")
    assert ok.returncode == 0, ok.stdout
    bad = _run(fixture_package, "-m", "mypy", "--strict", "--no-incremental", "misuse.py")
    assert bad.returncode == 1
    assert "misuse.py:5: error: Too few arguments" in bad.stdout
    assert 'misuse.py:6: error: Argument "first"' in bad.stdout
    assert "misuse.py:7: error: Incompatible types in assignment" in bad.stdout


def test_an_operation_the_generator_cannot_express_is_named_in_one_line(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(pipeline.SPEC_DIR, spec_dir)
    (spec_dir / "openapi" / "odd.yaml").write_text(
        textwrap.dedent(
            """
            openapi: 3.0.3
            info: {title: odd, version: "1"}
            paths:
              /odd:
                get:
                  operationId: odd_one
                  tags: [oidc]
                  x-discovery-key: odd_endpoint
                  parameters:
                    - {name: X-Odd, in: header, schema: {type: string}}
                  responses:
                    "200": {description: fine}
            """
        )
    )
    with pytest.raises(GenerationError) as err:
        generate(output=tmp_path / "out", spec_dir=spec_dir)
    message = str(err.value)
    assert message == "GET /odd (odd_one): parameter 'X-Odd' in 'header' is not supported"
    assert not (tmp_path / "out").exists()
