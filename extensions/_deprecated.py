"""Old public names kept working after a rename, with a `DeprecationWarning` on each use.

A module that lost names defines `__getattr__ = deprecated_names(__name__, {...})`; Python
calls it only for names the module does not define, so the new names cost nothing.
docs/migration.md lists every rename.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any


def deprecated_names(
    module: str, renamed: Mapping[str, tuple[str, str]], *, stacklevel: int = 2
) -> Callable[[str], Any]:
    """A module `__getattr__` for `renamed`: old name -> (module now defining it, new name).

    The new module is imported on first use of an old name, not when the shim is imported.
    `stacklevel` 3 when another `__getattr__` calls this one, so the warning names the caller.
    """

    def __getattr__(name: str) -> Any:
        target = renamed.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        where, new_name = target
        warnings.warn(
            f"{module}.{name} is deprecated; use {where}.{new_name} (see docs/migration.md)",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        value: Any = importlib.import_module(where)
        for part in new_name.split("."):  # "Class.method" for a function that became a method
            value = getattr(value, part)
        return value

    return __getattr__
