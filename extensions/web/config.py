"""Settings of the web integrations (shared by every framework)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.web.enforcer import EnforcementMode, PathConfig, PolicyEnforcer
from keycloak_sdk.extensions.web.paths import PathRules
from keycloak_sdk.extensions.web.sessions import InMemorySessionStore, SessionStore

BearerValidation = Literal["local", "introspection"]


@dataclass
class WebAuthConfig:
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
    ) -> WebAuthConfig:
        rules = PathRules.of(public=public_paths, api=api_paths)
        config = cls(settings=settings, secret_key=secret_key, rules=rules, **options)  # type: ignore[arg-type]
        config.validate()
        return config

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
