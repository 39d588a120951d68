"""The generated admin client, offline: every operation present, requests as the document says."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from generator import admin_generate
from keycloak_sdk.admin import ConflictError, ForbiddenError, KeycloakAdmin
from keycloak_sdk.admin.models import UserRepresentation


def _method(client: Any, qualified: str) -> Any:
    target = client
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


def _admin(handler: Any) -> KeycloakAdmin:
    return KeycloakAdmin(
        "http://127.0.0.1:9",
        realm="acme",
        login_realm="master",
        username="root",
        password="pw",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def _token_answer(lifetime: int = 300) -> httpx.Response:
    return httpx.Response(
        200,
        json={"access_token": "AT-secret", "token_type": "Bearer", "expires_in": lifetime},
    )


def test_every_operation_of_the_document_is_a_method() -> None:
    document = admin_generate.document("26.7.3")
    admin = _admin(lambda request: httpx.Response(500))
    names = [
        op["x-sdk-method"]
        for item in document["paths"].values()
        for method, op in item.items()
        if method in ("get", "put", "post", "delete")
    ]
    assert len(names) == 413
    assert all(callable(_method(admin, name)) for name in names)


def test_realm_bound_once_paging_text_body_and_typed_errors() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/token"):
            return _token_answer()
        if request.url.path == "/admin/realms/acme/users" and request.method == "GET":
            first = int(request.url.params["first"])
            page = [{"username": f"u{i}"} for i in range(first, min(first + 2, 5))]
            return httpx.Response(200, json=page)
        if request.method == "POST":
            return httpx.Response(409, json={"errorMessage": "User exists with same username"})
        if request.url.path.startswith("/admin/realms/other"):
            return httpx.Response(403, json={"error": "unknown_error"})
        return httpx.Response(204)

    admin = _admin(handler)
    names = [u.username for u in admin.users.iter_list(max=2)]
    assert names == ["u0", "u1", "u2", "u3", "u4"]
    assert all(r.headers["Authorization"] == "Bearer AT-secret" for r in seen[1:])
    with pytest.raises(ConflictError) as conflict:
        admin.users.create(UserRepresentation(username="u0"))
    assert conflict.value.error_description == "User exists with same username"
    with pytest.raises(ForbiddenError):
        admin.realm("other").users.count()
    admin.users.credentials.set_label("u1", "c1", "my phone")
    label = seen[-1]
    assert label.method == "PUT"
    assert label.url.path == "/admin/realms/acme/users/u1/credentials/c1/userLabel"
    assert label.headers["Content-Type"].startswith("text/plain")
    assert label.content == b"my phone"
    token_requests = [r for r in seen if r.url.path.endswith("/token")]
    assert len(token_requests) == 1
    assert token_requests[0].url.path == "/realms/master/protocol/openid-connect/token"


def test_token_renewed_before_expiry_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = 0
    now = [1000.0]
    monkeypatch.setattr("keycloak_sdk.admin._session.time.monotonic", lambda: now[0])

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal tokens
        if request.url.path.endswith("/token"):
            tokens += 1
            return _token_answer(lifetime=300)
        return httpx.Response(200, json=3)

    admin = _admin(handler)
    assert admin.users.count() == 3
    now[0] += 239  # 61 s left: more than the renewal margin (30 s), the token is kept
    assert admin.users.count() == 3
    assert tokens == 1
    now[0] += 40  # 21 s left: renewed before it expires
    assert admin.users.count() == 3
    assert tokens == 2
    assert "AT-secret" not in repr(admin) and "pw" not in repr(admin.login)
    assert "AT-secret" not in repr(admin._shared.token)


def test_admin_models_load_lazily() -> None:
    probe = (
        "import sys; from keycloak_sdk import KeycloakClient; import keycloak_sdk.admin; "
        "from keycloak_sdk.admin import KeycloakAdmin; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('keycloak_sdk.admin'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json; " + probe],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(out.stdout)
    assert "keycloak_sdk.admin.models" not in loaded
    assert not [m for m in loaded if ".resources." in m or "._wire" in m]


def test_secrets_of_admin_representations_stay_out_of_reprs() -> None:
    from keycloak_sdk.admin.models import (
        ClientRepresentation,
        CredentialRepresentation,
        KeyStoreConfig,
    )

    client = ClientRepresentation(client_id="ops", secret="client-secret-1")
    credential = CredentialRepresentation(type_="password", value="user-password-1")
    store = KeyStoreConfig(key_password="key-pw-1", store_password="store-pw-1")
    shown = repr(client) + repr(credential) + repr(store)
    assert "ops" in shown and "password" in shown
    for secret in ("client-secret-1", "user-password-1", "key-pw-1", "store-pw-1"):
        assert secret not in shown
    assert client.to_dict()["secret"] == "client-secret-1"


def test_one_login_for_concurrent_calls() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    tokens = 0
    guard = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal tokens
        if request.url.path.endswith("/token"):
            with guard:
                tokens += 1
            return _token_answer()
        return httpx.Response(200, json=1)

    admin = _admin(handler)
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _: admin.users.count(), range(32)))
    assert counts == [1] * 32
    assert tokens == 1


def test_async_admin_logs_in_once_for_concurrent_calls() -> None:
    import asyncio

    from keycloak_sdk.admin import AsyncKeycloakAdmin

    tokens = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal tokens
        if request.url.path.endswith("/token"):
            tokens += 1
            await asyncio.sleep(0)
            return _token_answer()
        return httpx.Response(200, json=2)

    async def main() -> list[int]:
        async with AsyncKeycloakAdmin(
            "http://127.0.0.1:9",
            client_id="ops",
            client_secret="s",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        ) as admin:
            return list(await asyncio.gather(*(admin.users.count() for _ in range(16))))

    assert asyncio.run(main()) == [2] * 16
    assert tokens == 1
