"""The client-authentication methods have one source: the Literal generated from discovery."""

from __future__ import annotations

from typing import get_args

import pytest
from keycloak_sdk.extensions import ClientSettings
from keycloak_sdk.extensions.errors import ConfigurationError
from keycloak_sdk.extensions.settings import AuthMethod

from keycloak_sdk.types import ClientAuthMethod


def _settings(auth_method: str) -> ClientSettings:
    return ClientSettings(
        server_url="https://sso.example.com",
        realm="demo",
        client_id="app",
        client_secret="secret",
        private_key_file="key.pem",
        auth_method=auth_method,  # type: ignore[arg-type]
    )


def test_auth_method_is_the_generated_list_and_none() -> None:
    flattened = {arg for part in get_args(AuthMethod) for arg in get_args(part)}
    assert flattened == {*get_args(ClientAuthMethod), "none"}


@pytest.mark.parametrize(
    "method", ["client_secret_basic", "client_secret_post", "client_secret_jwt", "none"]
)
def test_each_method_the_client_implements_is_accepted(method: str) -> None:
    assert _settings(method).auth_method == method


def test_private_key_jwt_is_accepted() -> None:
    assert _settings("private_key_jwt").auth_method == "private_key_jwt"


@pytest.mark.parametrize("method", ["tls_client_auth", "client_secret", ""])
def test_other_methods_are_refused_naming_the_supported_ones(method: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        _settings(method)
    assert refused.value.setting == "auth_method"
    assert refused.value.problem == (
        "must be one of client_secret_basic, client_secret_jwt, client_secret_post, "
        "private_key_jwt, none"
    )
