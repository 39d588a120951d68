"""Cost of `import keycloak_sdk` against `import httpx` and python-keycloak's `import keycloak`.

Each import runs in a fresh interpreter (the only way to measure a first import), many times;
the median is kept. Interpreter start-up is measured the same way and subtracted.
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys

from benchmarks.report import Row

RUNS = 21
_PROBE = "import time; t = time.perf_counter(); {stmt}; print((time.perf_counter() - t) * 1000)"


def import_ms(module: str, runs: int = RUNS) -> float:
    stmt = f"import {module}" if module else "pass"
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(stmt=stmt)],
            capture_output=True,
            text=True,
            check=True,
            cwd="/",
        )
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


def run() -> list[Row]:
    section = "Import time (fresh interpreter, median of 21)"
    ours = import_ms("keycloak_sdk")
    rows = [Row(section, "import keycloak_sdk", ours, "ms")]
    httpx_ms = import_ms("httpx")
    rows.append(
        Row(
            section,
            "import httpx",
            httpx_ms,
            "ms",
            "import httpx",
            ours / httpx_ms,
            note="ratio = keycloak_sdk / httpx",
        )
    )
    if importlib.util.find_spec("keycloak") is not None:
        peer = import_ms("keycloak")
        rows.append(
            Row(
                section,
                "import keycloak (python-keycloak)",
                peer,
                "ms",
                "python-keycloak",
                ours / peer,
                "<=0.5",
                "ratio = keycloak_sdk / python-keycloak",
            )
        )
    return rows
