"""Client settings: keyword arguments, a Keycloak `keycloak.json` adapter file, or env vars.

Precedence (highest first): keyword arguments, `KEYCLOAK_*` environment variables, the adapter
file (explicit path, else `$KEYCLOAK_SETTINGS`, else `./keycloak.json` when present).
Any missing or invalid value raises one `ConfigurationError` naming the setting.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import urlsplit

from keycloak_sdk.extensions.errors import ConfigurationError

from keycloak_sdk.types import ClientAuthMethod

if TYPE_CHECKING:
    from collections.abc import Mapping

    from keycloak_sdk.documents import AdapterConfig

# The methods Keycloak's discovery document lists (generated from it), plus "none": a public
# client, which does not authenticate and so is not in that list.
AuthMethod = ClientAuthMethod | Literal["none"]
SslRequired = Literal["all", "external", "none"]

_AUTH_METHODS: tuple[str, ...] = (*get_args(ClientAuthMethod), "none")
# Mutual TLS presents a client certificate at the TLS layer, which this client does not do.
_UNSUPPORTED_AUTH_METHODS = ("tls_client_auth",)
_SSL_REQUIRED: tuple[str, ...] = ("all", "external", "none")

# setting name -> environment variable
ENV_VARS: dict[str, str] = {
    "server_url": "KEYCLOAK_SERVER_URL",
    "realm": "KEYCLOAK_REALM",
    "client_id": "KEYCLOAK_CLIENT_ID",
    "client_secret": "KEYCLOAK_CLIENT_SECRET",
    "redirect_uri": "KEYCLOAK_REDIRECT_URI",
    "post_logout_redirect_uri": "KEYCLOAK_POST_LOGOUT_REDIRECT_URI",
    "scopes": "KEYCLOAK_SCOPES",
    "auth_method": "KEYCLOAK_AUTH_METHOD",
    "private_key_file": "KEYCLOAK_PRIVATE_KEY_FILE",
    "private_key_id": "KEYCLOAK_PRIVATE_KEY_ID",
    "ssl_required": "KEYCLOAK_SSL_REQUIRED",
    "verify_token_audience": "KEYCLOAK_VERIFY_TOKEN_AUDIENCE",
    "audience": "KEYCLOAK_AUDIENCE",
    "accept_azp_as_audience": "KEYCLOAK_ACCEPT_AZP_AS_AUDIENCE",
    "jwks_refetch_cooldown": "KEYCLOAK_JWKS_REFETCH_COOLDOWN",
    "jwks_max_stale": "KEYCLOAK_JWKS_MAX_STALE",
    "timeout": "KEYCLOAK_TIMEOUT",
}
_BOOLEANS = ("verify_token_audience", "accept_azp_as_audience")
_SECONDS = ("timeout", "jwks_refetch_cooldown", "jwks_max_stale")
SETTINGS_FILE_ENV = "KEYCLOAK_SETTINGS"
DEFAULT_SETTINGS_FILE = "keycloak.json"


@dataclass(frozen=True)
class ClientSettings:
    """Validated, immutable settings of one Keycloak client. Secrets are kept out of repr."""

    server_url: str
    realm: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str | None = None
    post_logout_redirect_uri: str | None = None
    scopes: tuple[str, ...] = ()
    auth_method: AuthMethod = "client_secret_basic"
    private_key_file: str | None = None
    private_key_id: str | None = None
    ssl_required: SslRequired = "external"
    # Access-token audience (docs/token-validation.md, "Audience"): `audience` values, one of
    # which must be in `aud`; else, with `verify_token_audience`, this client id must be;
    # else the token must be addressed to or issued for this client.
    verify_token_audience: bool = False
    audience: tuple[str, ...] = ()
    accept_azp_as_audience: bool = False
    jwks_refetch_cooldown: float = 30.0
    jwks_max_stale: float = 3600.0
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.audience, str):  # a single id, or ids separated by commas/spaces
            object.__setattr__(self, "audience", tuple(self.audience.replace(",", " ").split()))
        _check_url("server_url", self.server_url, self.ssl_required)
        if not self.realm or "/" in self.realm:
            raise ConfigurationError("realm", "must be a non-empty realm name")
        if not self.client_id:
            raise ConfigurationError("client_id", "must not be empty")
        supported = [m for m in _AUTH_METHODS if m not in _UNSUPPORTED_AUTH_METHODS]
        if self.auth_method not in supported:
            raise ConfigurationError("auth_method", f"must be one of {', '.join(supported)}")
        if self.ssl_required not in _SSL_REQUIRED:
            raise ConfigurationError("ssl_required", "must be 'all', 'external' or 'none'")
        needs_secret = self.auth_method in (
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
        )
        if needs_secret and not self.client_secret:
            raise ConfigurationError(
                "client_secret",
                f"required for auth_method {self.auth_method!r} "
                "(set auth_method='none' for a public client)",
            )
        if self.auth_method == "private_key_jwt" and not self.private_key_file:
            raise ConfigurationError("private_key_file", "required for private_key_jwt")
        for name in ("redirect_uri", "post_logout_redirect_uri"):
            value = getattr(self, name)
            if value is not None:
                _check_url(name, value, self.ssl_required)
        if not self.timeout > 0:
            raise ConfigurationError("timeout", "must be a positive number of seconds")
        for name in ("jwks_refetch_cooldown", "jwks_max_stale"):
            if not getattr(self, name) >= 0:
                raise ConfigurationError(name, "must be a number of seconds >= 0")
        if not all(isinstance(value, str) and value for value in self.audience):
            raise ConfigurationError("audience", "must be non-empty client ids")

    @property
    def token_audience(self) -> tuple[str, ...]:
        """The audience access tokens must name: `audience`, else this client with
        `verify_token_audience`, else none (the default rule applies)."""
        if self.audience:
            return self.audience
        return (self.client_id,) if self.verify_token_audience else ()

    @property
    def issuer(self) -> str:
        return f"{self.server_url}/realms/{self.realm}"

    @property
    def is_public(self) -> bool:
        return self.auth_method == "none"

    @classmethod
    def load(
        cls,
        settings_file: str | os.PathLike[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> ClientSettings:
        """Merge adapter file, environment and keyword overrides; validate the result."""
        env = os.environ if environ is None else environ
        known = {f.name for f in fields(cls)} | {"issuer"}
        for key in overrides:
            if key not in known:
                raise ConfigurationError(key, "unknown setting")
        values: dict[str, Any] = {}
        path = _settings_path(settings_file, env)
        if path is not None:
            _merge(values, read_adapter_file(path))
        _merge(values, _from_env(env))
        _merge(values, {k: v for k, v in overrides.items() if v is not None})
        issuer = values.pop("issuer", None)
        if issuer is not None:
            values.update(_split_issuer(str(issuer)))
        for required in ("server_url", "realm", "client_id"):
            if not values.get(required):
                raise ConfigurationError(
                    required,
                    f"missing: pass {required}=..., set {ENV_VARS[required]}, "
                    f"or provide a keycloak.json ({SETTINGS_FILE_ENV})",
                )
        if "auth_method" not in values:
            values["auth_method"] = (
                "client_secret_basic"
                if values.get("client_secret")
                else "private_key_jwt"
                if values.get("private_key_file")
                else "none"
            )
        values["server_url"] = str(values["server_url"]).rstrip("/")
        for name in ("scopes", "audience"):
            if isinstance(values.get(name), str):
                values[name] = tuple(values[name].replace(",", " ").split())
            elif values.get(name) is not None:
                values[name] = tuple(values[name])
        return cls(**values)

    def with_overrides(self, **changes: Any) -> ClientSettings:
        return replace(self, **changes)


# A client's credentials, which belong to one client id and must never follow another.
_CLIENT_CREDENTIALS = ("client_secret", "auth_method", "private_key_file", "private_key_id")


def _merge(values: dict[str, Any], layer: Mapping[str, Any]) -> None:
    """Let `layer` win over `values`; naming another client drops the earlier client's secret."""
    client_id = layer.get("client_id")
    if client_id is not None and client_id != values.get("client_id"):
        for key in _CLIENT_CREDENTIALS:
            values.pop(key, None)
    values.update(layer)


def read_adapter_file(path: Path) -> dict[str, Any]:
    """Read a Keycloak OIDC adapter file (`keycloak.json`) into settings values."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError("settings_file", f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError("settings_file", f"{path} is not valid JSON: {exc.msg}") from None
    if not isinstance(raw, dict):
        raise ConfigurationError("settings_file", f"{path} must hold a JSON object")
    adapter = _validated_adapter(path, raw)
    values: dict[str, Any] = {
        "server_url": _adapter_server_url(adapter.auth_server_url),
        "realm": adapter.realm,
        "client_id": adapter.resource,
    }
    secret = adapter.credentials.secret if adapter.credentials is not None else None
    if secret is not None and secret.get_secret_value():
        values["client_secret"] = secret.get_secret_value()
    if adapter.public_client is True:
        values["auth_method"] = "none"
        values.pop("client_secret", None)
    if adapter.ssl_required is not None:
        values["ssl_required"] = adapter.ssl_required
    if adapter.verify_token_audience is not None:
        values["verify_token_audience"] = adapter.verify_token_audience
    # Not a Keycloak adapter key, but accepted by earlier versions of this SDK (kept as extras).
    for key in ("redirect-uri", "redirect_uri"):
        if key in raw:
            values["redirect_uri"] = raw[key]
    return values


def _validated_adapter(path: Path, raw: dict[str, Any]) -> AdapterConfig:
    """The file as the generated `AdapterConfig` document (spec/schemas/adapter-config.json)."""
    # pydantic loads here, when a file is read, not when the settings module is imported.
    from pydantic import ValidationError

    from keycloak_sdk.documents import AdapterConfig

    try:
        return AdapterConfig.from_dict(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        raise ConfigurationError(
            "settings_file", f"{path} is not a Keycloak adapter file: {where}: {error['msg']}"
        ) from None


def _adapter_server_url(url: str) -> str:
    # Adapter files written for Keycloak < 17 end in /auth; the path is kept as configured.
    return url.rstrip("/")


def _settings_path(
    settings_file: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> Path | None:
    if settings_file is not None:
        path = Path(settings_file)
        if not path.is_file():
            raise ConfigurationError("settings_file", f"{path} does not exist")
        return path
    from_env = env.get(SETTINGS_FILE_ENV)
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigurationError(SETTINGS_FILE_ENV, f"{path} does not exist")
        return path
    default = Path(DEFAULT_SETTINGS_FILE)
    return default if default.is_file() else None


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, var in ENV_VARS.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        if name in _BOOLEANS:
            values[name] = _parse_bool(var, raw)
        elif name in _SECONDS:
            try:
                values[name] = float(raw)
            except ValueError:
                raise ConfigurationError(var, "must be a number of seconds") from None
        else:
            values[name] = raw
    issuer = env.get("KEYCLOAK_ISSUER")
    if issuer:
        values["issuer"] = issuer
    return values


def _parse_bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(name, "must be true or false")


def _split_issuer(issuer: str) -> dict[str, str]:
    base, sep, realm = issuer.rstrip("/").rpartition("/realms/")
    if not sep or not realm or "/" in realm:
        raise ConfigurationError("issuer", "must look like https://host/realms/<realm>")
    return {"server_url": base, "realm": realm}


def _check_url(name: str, url: str, ssl_required: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ConfigurationError(name, "is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(name, "must be an absolute http(s) URL")
    if parts.scheme == "http" and not _http_allowed(parts.hostname, ssl_required):
        raise ConfigurationError(
            name,
            f"uses plain http to {parts.hostname}; https is required "
            f"(ssl_required={ssl_required!r})",
        )


def _http_allowed(host: str, ssl_required: str) -> bool:
    # Mirrors Keycloak's own ssl-required semantics: "external" permits http only to
    # loopback and private addresses.
    if ssl_required == "none":
        return True
    if ssl_required == "all":
        return False
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private
