"""Import cost of what users write, against python-keycloak's `from keycloak import KeycloakOpenID`.

Each statement runs in a fresh interpreter (the only way to measure a first import), many
times; the median is kept. The statements are the ones a user actually writes: the core client
and the flow client, not the bare package (which is lazy and loads nothing).
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys

from benchmarks.report import Row

RUNS = 21
_PROBE = "import time; t = time.perf_counter(); {stmt}; print((time.perf_counter() - t) * 1000)"

CORE = "from keycloak_sdk import KeycloakClient"
FLOWS = "from keycloak_sdk.extensions import Client"
PEER = "from keycloak import KeycloakOpenID"
# (statement, target ratio against the peer)
OURS = ((CORE, "<=0.6"), (FLOWS, "<=1.0"))


def _once(stmt: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(stmt=stmt)],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    return float(out.stdout.strip())


def import_ms(statements: list[str], runs: int = RUNS) -> dict[str, float]:
    """Median milliseconds per statement. The statements take turns, round after round, so
    that a change in the machine's load weighs on ours and the peer's alike."""
    samples: dict[str, list[float]] = {stmt: [] for stmt in statements}
    for _ in range(runs):
        for stmt in statements:
            samples[stmt].append(_once(stmt))
    return {stmt: statistics.median(values) for stmt, values in samples.items()}


def run() -> list[Row]:
    section = f"Import time of what users write (fresh interpreter, median of {RUNS})"
    has_peer = importlib.util.find_spec("keycloak") is not None
    lazy = "import keycloak_sdk"
    statements = [lazy, *(stmt for stmt, _ in OURS), *([PEER] if has_peer else [])]
    medians = import_ms(statements)
    peer = medians[PEER] if has_peer else None
    rows = [Row(section, "import keycloak_sdk (lazy package)", medians[lazy], "ms")]
    for stmt, target in OURS:
        ours = medians[stmt]
        if peer is None:
            rows.append(Row(section, stmt, ours, "ms", note="python-keycloak not installed"))
            continue
        rows.append(
            Row(section, stmt, ours, "ms", PEER, ours / peer, target, "ratio = ours / peer")
        )
    if peer is not None:
        rows.append(Row(section, PEER + " (python-keycloak)", peer, "ms"))
    rows.extend(_admin(section))
    return rows


ADMIN = "from keycloak_sdk.admin import KeycloakAdmin"
ADMIN_PEER = "from keycloak import KeycloakAdmin"


def _admin(section: str) -> list[Row]:
    """The admin client against python-keycloak's KeycloakAdmin (goal: at most 1.0x)."""
    if importlib.util.find_spec("keycloak") is None:
        ours = import_ms([ADMIN])[ADMIN]
        return [Row(section, ADMIN, ours, "ms", note="python-keycloak not installed")]
    medians = import_ms([ADMIN, ADMIN_PEER])
    ours, peer = medians[ADMIN], medians[ADMIN_PEER]
    return [
        Row(section, ADMIN, ours, "ms", ADMIN_PEER, ours / peer, "<=1.0", "ratio = ours / peer"),
        Row(section, ADMIN_PEER + " (python-keycloak)", peer, "ms"),
    ]
