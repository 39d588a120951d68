"""Settings from keyword arguments, a keycloak.json adapter file and KEYCLOAK_* variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from keycloak_sdk.extensions.client import AsyncClient, Client
from keycloak_sdk.extensions.errors import ConfigurationError
from keycloak_sdk.extensions.settings import ClientSettings

ADAPTER = {
    "realm": "shop",
    "auth-server-url": "http://127.0.0.1:8080/",
    "ssl-required": "external",
    "resource": "shop-web",
    "credentials": {"secret": "file-secret"},
    "verify-token-audience": True,
    "confidential-port": 0,
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("KEYCLOAK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_from_keywords() -> None:
    settings = ClientSettings.load(
        server_url="https://id.example.com/", realm="r", client_id="app", client_secret="s"
    )
    assert settings.issuer == "https://id.example.com/realms/r"
    assert settings.auth_method == "client_secret_basic"
    assert ClientSettings.load(issuer="https://id.example.com/realms/r", client_id="a").realm == "r"


def test_from_adapter_file(tmp_path: Path) -> None:
    path = tmp_path / "kc.json"
    path.write_text(json.dumps(ADAPTER))
    settings = ClientSettings.load(path)
    assert (settings.server_url, settings.realm, settings.client_id) == (
        "http://127.0.0.1:8080",
        "shop",
        "shop-web",
    )
    assert settings.client_secret == "file-secret"
    assert settings.verify_token_audience is True


def test_default_keycloak_json_and_settings_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keycloak.json").write_text(json.dumps(ADAPTER))
    assert Client().settings.client_id == "shop-web"
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**ADAPTER, "resource": "other", "public-client": True}))
    monkeypatch.setenv("KEYCLOAK_SETTINGS", str(other))
    settings = AsyncClient().settings
    assert settings.client_id == "other"
    assert settings.is_public and settings.client_secret is None


def test_env_overrides_file_and_keywords_override_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keycloak.json").write_text(json.dumps(ADAPTER))
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "from-env")
    monkeypatch.setenv("KEYCLOAK_REDIRECT_URI", "http://localhost:5000/cb")
    monkeypatch.setenv("KEYCLOAK_TIMEOUT", "3.5")
    settings = ClientSettings.load()
    assert settings.client_id == "from-env"
    assert settings.redirect_uri == "http://localhost:5000/cb"
    assert settings.timeout == 3.5
    assert ClientSettings.load(client_id="kw").client_id == "kw"


def test_another_client_id_never_inherits_the_earlier_clients_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keycloak.json").write_text(json.dumps(ADAPTER))
    settings = ClientSettings.load(client_id="shop-public")
    assert settings.client_secret is None
    assert settings.is_public
    # The file's secret still applies when the same client is named again.
    assert ClientSettings.load(client_id="shop-web").client_secret == "file-secret"
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "shop-api")
    monkeypatch.setenv("KEYCLOAK_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("KEYCLOAK_AUTH_METHOD", "client_secret_post")
    public = ClientSettings.load(client_id="shop-public")
    assert (public.client_secret, public.auth_method) == (None, "none")
    # A secret given alongside the new client id is that client's own.
    own = ClientSettings.load(client_id="shop-batch", client_secret="batch-secret")
    assert (own.client_secret, own.auth_method) == ("batch-secret", "client_secret_basic")
    # The environment's secret goes with the environment's client id, not the file's.
    assert ClientSettings.load().client_secret == "env-secret"


def test_env_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYCLOAK_SERVER_URL", "https://id.example.com")
    monkeypatch.setenv("KEYCLOAK_REALM", "r")
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "spa")
    settings = ClientSettings.load()
    assert settings.is_public  # no secret: a public client


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"realm": "r", "client_id": "a"}, "server_url"),
        ({"server_url": "https://id.example.com", "client_id": "a"}, "realm"),
        ({"server_url": "https://id.example.com", "realm": "r"}, "client_id"),
        ({"server_url": "ftp://id.example.com", "realm": "r", "client_id": "a"}, "server_url"),
        # Plain http is only for loopback/private hosts (Keycloak's ssl-required=external).
        ({"server_url": "http://id.example.com", "realm": "r", "client_id": "a"}, "server_url"),
        (
            {
                "server_url": "https://x.io",
                "realm": "r",
                "client_id": "a",
                "auth_method": "client_secret_post",
            },
            "client_secret",
        ),
        (
            {
                "server_url": "https://x.io",
                "realm": "r",
                "client_id": "a",
                "auth_method": "private_key_jwt",
            },
            "private_key_file",
        ),
        ({"server_url": "https://x.io", "realm": "r", "client_id": "a", "colour": "red"}, "colour"),
        (
            {"server_url": "https://x.io", "realm": "r", "client_id": "a", "redirect_uri": "nope"},
            "redirect_uri",
        ),
        ({"issuer": "https://x.io/nothing", "client_id": "a"}, "issuer"),
    ],
)
def test_one_error_naming_the_setting(kwargs: dict[str, Any], setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.load(**kwargs)
    assert caught.value.setting == setting
    assert setting in str(caught.value)


def test_bad_files_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.load(tmp_path / "missing.json")
    assert caught.value.setting == "settings_file"
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ConfigurationError):
        ClientSettings.load(tmp_path / "broken.json")
    monkeypatch.setenv("KEYCLOAK_SETTINGS", str(tmp_path / "absent.json"))
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.load()
    assert caught.value.setting == "KEYCLOAK_SETTINGS"


def test_no_configuration_at_all_names_the_first_missing_setting() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Client()
    assert caught.value.setting == "server_url"
    assert "KEYCLOAK_SERVER_URL" in str(caught.value)


def test_constructing_a_client_does_no_io() -> None:
    # An unroutable server: construction must not touch it (discovery is lazy).
    client = Client(server_url="http://10.255.255.1", realm="r", client_id="a")
    assert client.settings.realm == "r"
    client.close()


def test_login_without_redirect_uri_names_it() -> None:
    client = Client(server_url="http://10.255.255.1", realm="r", client_id="a")
    with pytest.raises(ConfigurationError) as caught:
        client.login()
    assert caught.value.setting == "redirect_uri"


def test_audience_and_jwks_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYCLOAK_ISSUER", "http://127.0.0.1:8080/realms/r")
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "api")
    monkeypatch.setenv("KEYCLOAK_AUDIENCE", "api, billing")
    monkeypatch.setenv("KEYCLOAK_ACCEPT_AZP_AS_AUDIENCE", "yes")
    monkeypatch.setenv("KEYCLOAK_JWKS_REFETCH_COOLDOWN", "5")
    monkeypatch.setenv("KEYCLOAK_JWKS_MAX_STALE", "120")
    settings = ClientSettings.load()
    assert settings.audience == ("api", "billing")
    assert settings.token_audience == ("api", "billing")
    assert settings.accept_azp_as_audience is True
    assert (settings.jwks_refetch_cooldown, settings.jwks_max_stale) == (5.0, 120.0)


def test_token_audience_rules() -> None:
    base = ClientSettings.load(issuer="http://127.0.0.1:8080/realms/r", client_id="api")
    assert base.token_audience == ()  # the default rule: addressed to or issued for "api"
    assert base.with_overrides(verify_token_audience=True).token_audience == ("api",)
    assert base.with_overrides(audience="other").token_audience == ("other",)
    assert ClientSettings(
        server_url="http://127.0.0.1:8080",
        realm="r",
        client_id="api",
        auth_method="none",
        audience="a b",  # type: ignore[arg-type]  # a string is split, as from the env
    ).audience == ("a", "b")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KEYCLOAK_ACCEPT_AZP_AS_AUDIENCE", "maybe"),
        ("KEYCLOAK_JWKS_REFETCH_COOLDOWN", "soon"),
        ("KEYCLOAK_JWKS_MAX_STALE", "-1"),
    ],
)
def test_bad_audience_and_jwks_settings(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("KEYCLOAK_ISSUER", "http://127.0.0.1:8080/realms/r")
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "api")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError):
        ClientSettings.load()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"resource": None}, "resource"),
        ({"realm": ""}, "realm"),
        ({"ssl-required": "sometimes"}, "ssl-required"),
        ({"confidential-port": 70000}, "confidential-port"),
        ({"credentials": {"secret": 42}}, "credentials.secret"),
    ],
)
def test_adapter_file_is_validated_by_the_generated_document(
    tmp_path: Path, change: dict[str, Any], named: str
) -> None:
    adapter = {**ADAPTER, **change}
    adapter = {key: value for key, value in adapter.items() if value is not None}
    path = tmp_path / "kc.json"
    path.write_text(json.dumps(adapter))
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings.load(path)
    assert caught.value.setting == "settings_file"
    assert named in str(caught.value)
    assert "file-secret" not in str(caught.value)


def test_public_adapter_file_has_no_secret_and_keeps_extra_keys(tmp_path: Path) -> None:
    path = tmp_path / "kc.json"
    path.write_text(
        json.dumps({**ADAPTER, "public-client": True, "redirect-uri": "http://127.0.0.1/cb"})
    )
    settings = ClientSettings.load(path)
    assert (settings.auth_method, settings.client_secret) == ("none", None)
    assert settings.redirect_uri == "http://127.0.0.1/cb"
