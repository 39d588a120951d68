"""Which kind of protection a request path gets.

Secure default: a path that no rule names is a protected browser route. Patterns are shell
style (`fnmatch`): `/static/*` matches everything below /static/, `/health` one path.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import translate
from typing import TypeVar

T = TypeVar("T")


class RouteKind(enum.Enum):
    PUBLIC = "public"
    BROWSER = "browser"
    API = "api"


@dataclass(frozen=True)
class PathRules:
    """Public and bearer-only (API) path patterns; everything else needs a browser session."""

    public: tuple[str, ...] = ()
    api: tuple[str, ...] = ()
    # Each kind's patterns as one compiled expression: one match per request, not one per
    # pattern (the same semantics as `fnmatchcase`).
    _public: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _api: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_public", _compiled(self.public))
        object.__setattr__(self, "_api", _compiled(self.api))

    @classmethod
    def of(cls, public: Iterable[str] = (), api: Iterable[str] = ()) -> PathRules:
        for pattern in (*public, *api):
            if not pattern.startswith("/"):
                raise ValueError(f"path pattern {pattern!r} must start with '/'")
        return cls(tuple(public), tuple(api))

    def classify(self, path: str) -> RouteKind:
        # Public wins so that e.g. /api/health can be declared public inside /api/*.
        if self._public is not None and self._public.match(path):
            return RouteKind.PUBLIC
        if self._api is not None and self._api.match(path):
            return RouteKind.API
        return RouteKind.BROWSER


def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{translate(pattern)})" for pattern in patterns))


class PathMemo(dict[str, T]):
    """path -> `answer(path)`, worked out on a path's first lookup and a plain dict lookup
    after that (for what is asked on every request). Bounded: a flood of distinct paths only
    empties it."""

    def __init__(self, answer: Callable[[str], T], size: int = 4096) -> None:
        super().__init__()
        self._answer = answer
        self._size = size

    def __missing__(self, path: str) -> T:
        value = self._answer(path)
        if len(self) >= self._size:
            self.clear()
        self[path] = value
        return value
