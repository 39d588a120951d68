"""One row of the benchmark report, and the page `make bench` writes."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    section: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    note: str = ""

    @property
    def verdict(self) -> str:
        return "" if not self.target else ("meets" if self.meets_target() else "MISSES")

    def meets_target(self) -> bool:
        # Targets are written as ">=0.8" or "<=0.5" against the ratio.
        if self.ratio is None or not self.target:
            return True
        op, bound = self.target[:2], float(self.target[2:])
        return self.ratio >= bound if op == ">=" else self.ratio <= bound


def render(rows: list[Row], descriptions: Mapping[str, str] | None = None) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` itself; do not edit. Every ratio compares two measurements taken",
        "in the same run on the same machine, so the ratios carry over between machines better",
        "than the absolute numbers do.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}.",
        "",
    ]
    for section in dict.fromkeys(row.section for row in rows):
        lines += [f"## {section}", ""]
        description = (descriptions or {}).get(section)
        if description:
            lines += [description, ""]
        lines += ["| measurement | value | baseline | ratio | target | result | note |"]
        lines += ["| --- | --- | --- | --- | --- | --- | --- |"]
        for row in (r for r in rows if r.section == section):
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
            lines.append(
                f"| {row.name} | {row.value:,.1f} {row.unit} | {row.baseline} | {ratio} "
                f"| {row.target} | {row.verdict} | {row.note} |"
            )
        lines.append("")
    return "\n".join(lines)


def write(rows: list[Row], path: Path, descriptions: Mapping[str, str] | None = None) -> None:
    path.write_text(render(rows, descriptions))
