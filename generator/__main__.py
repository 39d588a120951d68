"""`python -m generator <command>`: generate, capture, capture-admin, mend-admin, spec-diff."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.pipeline import ROOT, GenerationError, generate


def _run_module(module: str, argv: Sequence[str]) -> int:
    # capture/spec-diff belong to another part of the generator and may not exist yet.
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        print(f"{module} is not available in this checkout", file=sys.stderr)
        return 2
    result = mod.main(list(argv))
    return int(result or 0)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "capture":
        return _run_module("generator.capture", args[1:])
    if args and args[0] == "capture-admin":
        return _run_module("generator.admin_capture", args[1:])
    if args and args[0] == "mend-admin":
        return _run_module("generator.admin_mends", args[1:])
    if args and args[0] == "spec-diff":
        return _run_module("generator.spec_diff", args[1:])

    parser = argparse.ArgumentParser(prog="python -m generator")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate keycloak_sdk/ from spec/")
    gen.add_argument("--keycloak-version", default=None, help="spec/keycloak/<version> to use")
    gen.add_argument(
        "--discovery-file",
        type=Path,
        default=None,
        help="openid-configuration JSON to derive Literal types from when no snapshot exists",
    )
    gen.add_argument("--output", type=Path, default=ROOT / "keycloak_sdk")
    sub.add_parser("capture", help="capture discovery snapshots (generator.capture)")
    sub.add_parser(
        "capture-admin", help="capture the admin OpenAPI document (generator.admin_capture)"
    )
    sub.add_parser("mend-admin", help="show the mends of an admin document (generator.admin_mends)")
    sub.add_parser("spec-diff", help="compare two captured versions (generator.spec_diff)")
    ns = parser.parse_args(args)
    try:
        generate(
            output=ns.output,
            keycloak_version=ns.keycloak_version,
            discovery_file=ns.discovery_file,
        )
    except GenerationError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
