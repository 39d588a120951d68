"""Settings of the web integrations (shared by every framework): `WebSettings`.

Built from keywords (`WebSettings.build`) or from framework settings, `KEYCLOAK_*` keys, and the
environment (`WebSettings.from_mapping`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from keycloak_sdk.extensions._deprecated import deprecated_names
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.enforcer import EnforcementMode, PathConfig, PolicyEnforcer
from keycloak_sdk.extensions.web.paths import PathRules
from keycloak_sdk.extensions.web.sessions import InMemorySessionStore, SessionStore

BearerValidation = Literal["local", "introspection"]


@dataclass
class WebSettings:
    """How the middleware protects an application.

    `secret_key` seals the session cookie (at least 16 bytes). Paths are matched against the
    request path; `public_paths` need nothing, `api_paths` need a bearer token, everything else
    needs a browser session.
    """

    settings: ClientSettings
    secret_key: str = field(repr=False)
    callback_path: str = "/kc/callback"
    callback_url: str | None = None
    # `https://app.example.com`: where browsers reach this app. Absolute URLs (the logout
    # landing, the callback) are built from it, or from `callback_url`, never from Host.
    public_url: str | None = None
    login_path: str = "/kc/login"
    logout_path: str = "/kc/logout"
    backchannel_logout_path: str = "/kc/backchannel-logout"
    default_redirect: str = "/"
    post_logout_redirect: str = "/"
    # keycloak-client's apps show the logout landing without a login (its middleware and the
    # KEYCLOAK_LOGOUT_REDIRECT_URI setting turn this on).
    public_logout_landing: bool = False
    rules: PathRules = field(default_factory=PathRules)
    bearer_validation: BearerValidation = "local"
    audience: str | None = None
    session_store: SessionStore = field(default_factory=InMemorySessionStore)
    cookie_name: str = "kc_session"
    # The pending logins' cookie (sealed, lives as long as a login may take: 600 s).
    login_cookie_name: str = "kc_login"
    cookie_secure: bool | None = None
    session_max_age: float = 8 * 3600.0
    refresh_skew: float = 10.0
    max_header_bytes: int = 8192
    # All Keycloak round trips of one request together; None: twice settings.timeout, plus 1 s.
    keycloak_deadline: float | None = None
    enforcer: PolicyEnforcer | None = None
    # Or let the engine build the enforcer on its own gateway:
    enforcer_paths: tuple[PathConfig, ...] = ()
    enforcement_mode: EnforcementMode = EnforcementMode.ENFORCING
    enforcer_lazy_load: bool = False
    enforcer_method_scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        settings: ClientSettings,
        secret_key: str,
        *,
        public_paths: Iterable[str] = (),
        api_paths: Iterable[str] = (),
        **options: object,
    ) -> WebSettings:
        rules = PathRules.of(public=public_paths, api=api_paths)
        config = cls(settings=settings, secret_key=secret_key, rules=rules, **options)  # type: ignore[arg-type]
        config.validate()
        return config

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], *, secret_key: str | None = None, **overrides: Any
    ) -> WebSettings:
        """`values` holds KEYCLOAK_* keys (Flask's app.config, Django settings as a dict).

        Client settings missing there come from KEYCLOAK_* environment variables or
        keycloak.json. Without a secret key, a random one is made: sessions are server-side and
        per process.
        """
        return _from_mapping(values, secret_key=secret_key, **overrides)

    @property
    def public_origin(self) -> str | None:
        """`scheme://host[:port]` from `public_url`, else from `callback_url`."""
        for url in (self.public_url, self.callback_url):
            if url:
                parts = urlsplit(url)
                return f"{parts.scheme}://{parts.netloc}"
        return None

    def validate(self) -> None:
        if len(self.secret_key.encode("utf-8")) < 16:
            raise ValueError("secret_key must be at least 16 bytes")
        for name in ("callback_path", "login_path", "logout_path", "backchannel_logout_path"):
            if not getattr(self, name).startswith("/"):
                raise ValueError(f"{name} must start with '/'")
        for name in ("public_url", "callback_url"):
            url = getattr(self, name)
            if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
                raise ValueError(f"{name} must be an absolute http(s) URL")
        if self.bearer_validation not in ("local", "introspection"):
            raise ValueError("bearer_validation must be 'local' or 'introspection'")


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
# framework setting -> WebSettings option
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


def _from_mapping(
    values: Mapping[str, Any], *, secret_key: str | None = None, **overrides: Any
) -> WebSettings:
    """`WebSettings.from_mapping`."""
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
    return WebSettings.build(
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
    """keycloak-client's middleware arguments, as `WebSettings` options.

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


# Old names (docs/migration.md), kept working with a DeprecationWarning.
__getattr__ = deprecated_names(
    __name__, {"config_from_mapping": (__name__, "WebSettings.from_mapping")}
)
