"""Which kind of protection a request path gets.

Secure default: a path that no rule names is a protected browser route. Patterns are shell
style (`fnmatch`): `/static/*` matches everything below /static/, `/health` one path.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase


class RouteKind(enum.Enum):
    PUBLIC = "public"
    BROWSER = "browser"
    API = "api"


@dataclass(frozen=True)
class PathRules:
    """Public and bearer-only (API) path patterns; everything else needs a browser session."""

    public: tuple[str, ...] = ()
    api: tuple[str, ...] = ()

    @classmethod
    def of(cls, public: Iterable[str] = (), api: Iterable[str] = ()) -> PathRules:
        for pattern in (*public, *api):
            if not pattern.startswith("/"):
                raise ValueError(f"path pattern {pattern!r} must start with '/'")
        return cls(tuple(public), tuple(api))

    def classify(self, path: str) -> RouteKind:
        # Public wins so that e.g. /api/health can be declared public inside /api/*.
        if any(fnmatchcase(path, pattern) for pattern in self.public):
            return RouteKind.PUBLIC
        if any(fnmatchcase(path, pattern) for pattern in self.api):
            return RouteKind.API
        return RouteKind.BROWSER
