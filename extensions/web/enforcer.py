"""UMA policy enforcer: map paths and methods to Keycloak resources and scopes.

Behaves like Keycloak's Java/Node enforcers: a request to a protected path needs a token
(usually an RPT) carrying a permission for the path's resource and the method's scopes. When it
lacks one, the enforcer asks the protection API for a permission ticket and the response is
`401 WWW-Authenticate: UMA realm=..., as_uri=..., ticket=...`, which a UMA client exchanges
for an RPT. Resources come from static `PathConfig`s or, with `lazy_load`, from the protection
API's `matchingUri` lookup (cached).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.web import steps
from keycloak_sdk.extensions.web._gateway import KeycloakGateway, ResourceDescription
from keycloak_sdk.extensions.web.paths import PathMemo
from keycloak_sdk.extensions.web.steps import AsyncTargets, Steps, run_async


class EnforcementMode(enum.Enum):
    ENFORCING = "ENFORCING"  # unknown paths are denied, known ones need a permission
    PERMISSIVE = "PERMISSIVE"  # unknown paths are allowed, known ones need a permission
    DISABLED = "DISABLED"  # no checks at all


@dataclass(frozen=True)
class PathConfig:
    """`path` (fnmatch pattern) is resource `resource` (name or id); `methods` maps an HTTP
    method to the scopes it needs; a method not listed needs the resource with any scope."""

    path: str
    resource: str
    methods: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def scopes_for(self, method: str) -> tuple[str, ...]:
        return tuple(self.methods.get(method.upper(), ()))


@dataclass(frozen=True)
class EnforcementResult:
    allowed: bool
    ticket: str | None = None
    reason: str = ""


_MATCH_MEMO_SIZE = 1024
# Read on every bearer request: a module name is found faster than an enum member.
_MODE_DISABLED, _MODE_PERMISSIVE = EnforcementMode.DISABLED, EnforcementMode.PERMISSIVE
_DISABLED = EnforcementResult(True, reason="enforcement disabled")
_UNMAPPED = {
    allowed: EnforcementResult(allowed, reason="no resource is configured for this path")
    for allowed in (True, False)
}


@dataclass
class _Cached:
    resources: list[ResourceDescription]
    expires_at: float


class PolicyEnforcer:
    def __init__(
        self,
        gateway: KeycloakGateway,
        *,
        paths: Iterable[PathConfig] = (),
        mode: EnforcementMode = EnforcementMode.ENFORCING,
        lazy_load: bool = False,
        method_scopes: Mapping[str, tuple[str, ...]] | None = None,
        cache_ttl: float = 300.0,
    ) -> None:
        self.gateway = gateway
        # path -> whether a configured path pattern matches it (remembered per path).
        self._matches: PathMemo[bool] = PathMemo(self._match, _MATCH_MEMO_SIZE)
        self.paths = paths
        self.mode = mode
        self.lazy_load = lazy_load
        self.method_scopes = dict(method_scopes or {})
        self._cache_ttl = cache_ttl
        self._lookups: dict[str, _Cached] = {}

    @property
    def paths(self) -> tuple[PathConfig, ...]:
        return self._paths

    @paths.setter
    def paths(self, paths: Iterable[PathConfig]) -> None:
        self._paths = tuple(paths)
        self._matches.clear()  # remembered for the paths being replaced

    async def check(self, method: str, path: str, claims: AccessTokenClaims) -> EnforcementResult:
        """Await the decision (the gateway's async calls)."""
        return await run_async(
            self.check_steps(method, path, claims), AsyncTargets(self.gateway, None, _no_body)
        )

    def unmapped(self, path: str) -> EnforcementResult | None:
        """The decision for a path no resource can map (no configured path matches and no
        lazy lookup), the same `check_steps` reaches; None when the path may map to one."""
        mode = self.mode
        if mode is _MODE_DISABLED:
            return _DISABLED
        if self.lazy_load or self._matches[path]:
            return None
        return _UNMAPPED[mode is _MODE_PERMISSIVE]

    def _match(self, path: str) -> bool:
        return any(fnmatchcase(path, config.path) for config in self._paths)

    def check_steps(
        self, method: str, path: str, claims: AccessTokenClaims
    ) -> Steps[EnforcementResult]:
        """The decision as steps (sans-IO), for the engine's sync and async drivers."""
        if self.mode is EnforcementMode.DISABLED:
            return _DISABLED
        target = yield from self._resolve(method, path)
        if target is None:
            return _UNMAPPED[self.mode is EnforcementMode.PERMISSIVE]
        resource_name, resource_id, scopes = target
        names = {n for n in (resource_name, resource_id) if n}
        if scopes:
            granted = all(any(claims.has_permission(n, s) for n in names) for s in scopes)
        else:
            granted = any(claims.has_permission(n) for n in names)
        if granted:
            return EnforcementResult(True)
        ticket: str = yield from steps.gateway(
            "create_ticket", resource_id or resource_name, scopes
        )
        return EnforcementResult(False, ticket=ticket, reason="permission missing")

    def _resolve(self, method: str, path: str) -> Steps[tuple[str, str, tuple[str, ...]] | None]:
        for config in self.paths:
            if fnmatchcase(path, config.path):
                resource = yield from self._by_name(config.resource)
                scopes = config.scopes_for(method)
                if resource is None:
                    return config.resource, "", scopes
                return resource.name, resource.id, scopes
        if not self.lazy_load:
            return None
        found = yield from self._lookup(path)
        if not found:
            return None
        resource = found[0]
        scopes = tuple(
            s for s in self.method_scopes.get(method.upper(), ()) if s in resource.scopes
        )
        return resource.name, resource.id, scopes

    def _by_name(self, resource: str) -> Steps[ResourceDescription | None]:
        # Static configs name resources; their id (needed for tickets) is looked up once.
        key = f"name:{resource}"
        cached = self._lookups.get(key)
        if cached is None or cached.expires_at < time.time():
            named: list[ResourceDescription] = yield from steps.gateway(
                "find_resources_by_name", resource
            )
            found = [r for r in named if resource in (r.name, r.id)]
            cached = _Cached(found, time.time() + self._cache_ttl)
            self._lookups[key] = cached
        return cached.resources[0] if cached.resources else None

    def _lookup(self, path: str) -> Steps[list[ResourceDescription]]:
        key = f"uri:{path}"
        cached = self._lookups.get(key)
        if cached is None or cached.expires_at < time.time():
            matching: list[ResourceDescription] = yield from steps.gateway(
                "find_resources_by_uri", path
            )
            cached = _Cached(matching, time.time() + self._cache_ttl)
            if len(self._lookups) > 10_000:
                self._lookups.clear()
            self._lookups[key] = cached
        return cached.resources


async def _no_body(limit: int) -> bytes:
    return b""
