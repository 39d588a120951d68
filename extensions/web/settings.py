"""Build a `WebAuthConfig` from framework settings (`KEYCLOAK_*` keys) and the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.config import WebAuthConfig
from keycloak_sdk.extensions.web.enforcer import EnforcementMode

# framework setting -> ClientSettings field
_CLIENT_KEYS = {
    "KEYCLOAK_SERVER_URL": "server_url",
    "KEYCLOAK_REALM": "realm",
    "KEYCLOAK_CLIENT_ID": "client_id",
    "KEYCLOAK_CLIENT_SECRET": "client_secret",
    "KEYCLOAK_ISSUER": "issuer",
    "KEYCLOAK_SCOPES": "scopes",
    "KEYCLOAK_TIMEOUT": "timeout",
}
# framework setting -> WebAuthConfig option
_WEB_KEYS = {
    "KEYCLOAK_CALLBACK_PATH": "callback_path",
    "KEYCLOAK_CALLBACK_URL": "callback_url",
    "KEYCLOAK_PUBLIC_URL": "public_url",
    "KEYCLOAK_LOGIN_PATH": "login_path",
    "KEYCLOAK_LOGOUT_PATH": "logout_path",
    "KEYCLOAK_BACKCHANNEL_LOGOUT_PATH": "backchannel_logout_path",
    "KEYCLOAK_LOGIN_REDIRECT_URI": "default_redirect",
    "KEYCLOAK_LOGOUT_REDIRECT_URI": "post_logout_redirect",
    "KEYCLOAK_BEARER_VALIDATION": "bearer_validation",
    "KEYCLOAK_AUDIENCE": "audience",
    "KEYCLOAK_COOKIE_NAME": "cookie_name",
    "KEYCLOAK_LOGIN_COOKIE_NAME": "login_cookie_name",
    "KEYCLOAK_COOKIE_SECURE": "cookie_secure",
    "KEYCLOAK_SESSION_MAX_AGE": "session_max_age",
    "KEYCLOAK_ENFORCER": "enforcer",
    "KEYCLOAK_ENFORCER_PATHS": "enforcer_paths",
    "KEYCLOAK_ENFORCEMENT_MODE": "enforcement_mode",
    "KEYCLOAK_ENFORCER_LAZY_LOAD": "enforcer_lazy_load",
    "KEYCLOAK_ENFORCER_METHOD_SCOPES": "enforcer_method_scopes",
    "KEYCLOAK_SESSION_STORE": "session_store",
}


def config_from_mapping(
    values: Mapping[str, Any], *, secret_key: str | None = None, **overrides: Any
) -> WebAuthConfig:
    """`values` holds KEYCLOAK_* keys (Flask's app.config, Django settings as a dict).

    Client settings missing there come from KEYCLOAK_* environment variables or keycloak.json.
    Without a secret key, a random one is made: sessions are server-side and per process.
    """
    client = {field: values[key] for key, field in _CLIENT_KEYS.items() if values.get(key)}
    settings = ClientSettings.load(**client)
    options: dict[str, Any] = {
        field: values[key] for key, field in _WEB_KEYS.items() if values.get(key) is not None
    }
    if options.get("callback_url") and "callback_path" not in options:
        options["callback_path"] = urlsplit(str(options["callback_url"])).path
    if isinstance(options.get("enforcement_mode"), str):
        options["enforcement_mode"] = EnforcementMode(options["enforcement_mode"].upper())
    if "enforcer_paths" in options:
        options["enforcer_paths"] = tuple(options["enforcer_paths"])
    if values.get("KEYCLOAK_LOGOUT_REDIRECT_URI"):
        options.setdefault("public_logout_landing", True)
    logout_uri = values.get("KEYCLOAK_LOGOUT_URI")
    if logout_uri:
        options.setdefault("logout_path", logout_uri)
    options.update({k: v for k, v in overrides.items() if v is not None})
    redis_url = values.get("KEYCLOAK_REDIS_URL") or os.environ.get("KEYCLOAK_REDIS_URL")
    if redis_url and "session_store" not in options:
        from keycloak_sdk.extensions.web.redis_store import RedisSessionStore

        options["session_store"] = RedisSessionStore(str(redis_url))
    key = secret_key or values.get("KEYCLOAK_COOKIE_SECRET")
    if not key and "session_store" in options:
        raise ValueError(
            "a shared session store needs a secret key that every worker shares "
            "(SECRET_KEY or KEYCLOAK_COOKIE_SECRET)"
        )
    key = key or secrets.token_urlsafe(32)
    return WebAuthConfig.build(
        settings,
        str(key),
        public_paths=_paths(values.get("KEYCLOAK_PUBLIC_PATHS")),
        api_paths=_paths(values.get("KEYCLOAK_API_PATHS")),
        **options,
    )


def _paths(value: object) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split(","))
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    raise ValueError("path patterns must be a list or a comma-separated string")


def keycloak_client_options(
    callback_url: str | None,
    redirect_uri: str | None,
    logout_uri: str | None,
    *,
    login_redirect_uri: str | None = None,
    logout_redirect_uri: str | None = None,
) -> dict[str, Any]:
    """keycloak-client's middleware arguments, as `WebAuthConfig` options.

    Both of its spellings are accepted: the documentation's `redirect_uri` / `logout_uri`
    and the example apps' `login_redirect_uri` / `logout_redirect_uri`. `logout_uri` is the
    path that logs out; without `logout_redirect_uri` it is also the page shown afterwards,
    as the documentation's apps expect.
    """
    if redirect_uri and login_redirect_uri and redirect_uri != login_redirect_uri:
        raise ValueError("redirect_uri and login_redirect_uri name the same setting; pass one")
    options: dict[str, Any] = {"public_logout_landing": True}
    if callback_url:
        options["callback_url"] = callback_url
        options["callback_path"] = urlsplit(callback_url).path or "/"
    if redirect_uri or login_redirect_uri:
        options["default_redirect"] = redirect_uri or login_redirect_uri
    if logout_uri:
        options["logout_path"] = logout_uri
        options["post_logout_redirect"] = logout_uri
    if logout_redirect_uri:
        options["post_logout_redirect"] = logout_redirect_uri
    return options
