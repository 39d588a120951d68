"""Readable reprs for the generated wire models: the fields that are set, secrets masked.

openapi-python-client's attrs classes would print every field, unset ones included, and the
catch-all `additional_properties`; the generator gives each model this repr instead. Fields
the generator marks `repr=False` (tokens, secrets, codes) show as `***`; unknown JSON keys
show by name only, since their values may be anything.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import attrs

T = TypeVar("T")


def readable_repr(cls: type[T]) -> type[T]:
    """Class decorator: a repr of the fields that are not None, secrets as `***`."""
    defined = attrs.fields(cast("type[attrs.AttrsInstance]", cls))
    fields = [f for f in defined if f.name != "additional_properties"]

    def __repr__(self: Any) -> str:
        parts = []
        for f in fields:
            value = getattr(self, f.name)
            if value is not None:
                parts.append(f"{f.name}={value!r}" if f.repr else f"{f.name}=***")
        extra = getattr(self, "additional_properties", None)
        if extra:
            parts.append(f"additional keys: {', '.join(sorted(extra))}")
        return f"{cls.__name__}({', '.join(parts)})"

    cls.__repr__ = __repr__  # type: ignore[method-assign]
    return cls


__all__ = ["readable_repr"]
