"""Run every benchmark and write docs/benchmarks.md."""

from __future__ import annotations

import importlib
from pathlib import Path

from benchmarks.report import Row, render, write

# Each module exposes run() -> list[Row]; a module that is not there yet is reported, not hidden.
SECTIONS = [
    "benchmarks.imports",
    "benchmarks.validation",
    "benchmarks.peers",
    "benchmarks.middleware",
    "benchmarks.servers",
    "benchmarks.connections",
]
REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def main() -> int:
    rows: list[Row] = []
    # What a section measures against what, written above its table (`DESCRIPTION`).
    descriptions: dict[str, str] = {}
    for name in SECTIONS:
        module = importlib.import_module(name)
        print(f"running {name} ...", flush=True)
        rows.extend(module.run())
        if getattr(module, "DESCRIPTION", None):
            descriptions[module.SECTION] = module.DESCRIPTION
    write(rows, REPORT, descriptions)
    print(render(rows))
    missed = [row for row in rows if not row.meets_target()]
    for row in missed:
        print(f"target missed: {row.name} ({row.ratio:.2f}x, target {row.target})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
