"""Compare the discovery snapshots of two Keycloak versions in plain words.

(The Admin REST API part of `make spec-diff` is generator/admin_diff.py.)

`python -m generator spec-diff 26.4.7 26.7.3` reads spec/keycloak/<version>/*.json (captured by
generator.capture) and prints what the newer version adds, removes or changes, grouped by
category: endpoints, grant types, response types and modes, scopes, claims, signing and
encryption algorithms, client authentication methods, code challenge methods, other supported
values, and other metadata.

The generator also uses `snapshot()` and `latest_version()` to find the documents it derives
types from.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.admin_capture import ADMIN_FILE

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = ROOT / "spec" / "keycloak"


class SnapshotError(LookupError):
    """A requested snapshot does not exist or cannot be read."""


def version_key(version: str) -> tuple[int, ...]:
    """Order versions numerically: 26.10.0 comes after 26.9.1."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def available_versions(snapshot_dir: Path = SNAPSHOT_DIR) -> list[str]:
    """Every captured version, oldest first."""
    if not snapshot_dir.is_dir():
        return []
    found = [
        path.name
        for path in snapshot_dir.iterdir()
        if path.is_dir() and re.fullmatch(r"\d+(\.\d+)*", path.name)
    ]
    return sorted(found, key=version_key)


def latest_version(snapshot_dir: Path = SNAPSHOT_DIR) -> str:
    """The newest captured version (by version order, not by name)."""
    versions = available_versions(snapshot_dir)
    if not versions:
        raise SnapshotError(f"no snapshots under {snapshot_dir}; run `make spec`")
    return versions[-1]


def snapshot(version: str, snapshot_dir: Path = SNAPSHOT_DIR) -> dict[str, Any]:
    """The documents of one captured version, keyed by name: `openid-configuration`, ..."""
    folder = snapshot_dir / version
    # The admin OpenAPI document lives next to the discovery documents; it is diffed apart.
    files = (
        sorted(p for p in folder.glob("*.json") if p.name != ADMIN_FILE) if folder.is_dir() else []
    )
    if not files:
        known = ", ".join(available_versions(snapshot_dir)) or "none"
        raise SnapshotError(f"no snapshot for Keycloak {version} (captured: {known})")
    documents: dict[str, Any] = {}
    for path in files:
        try:
            documents[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise SnapshotError(f"{path.name} of Keycloak {version} is not JSON: {exc}") from exc
    return documents


# -- categories ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A group of metadata keys reported together, and the noun for one of its values."""

    title: str
    noun: str
    matches: Callable[[str], bool]


def _is_endpoint(key: str) -> bool:
    return key.endswith(("_endpoint", "_uri", "_iframe")) or key == "mtls_endpoint_aliases"


LIST_CATEGORIES: tuple[Category, ...] = (
    Category("Grant types", "grant type", lambda k: k == "grant_types_supported"),
    Category("Response types", "response type", lambda k: k == "response_types_supported"),
    Category("Response modes", "response mode", lambda k: k == "response_modes_supported"),
    Category("Scopes", "scope", lambda k: k == "scopes_supported"),
    Category("Claims", "claim", lambda k: k in ("claims_supported", "claim_types_supported")),
    Category("Signing algorithms", "signing algorithm", lambda k: "signing_alg_values" in k),
    Category(
        "Encryption algorithms",
        "encryption algorithm",
        lambda k: "encryption_alg_values" in k or "encryption_enc_values" in k,
    ),
    Category(
        "Client authentication methods",
        "client authentication method",
        lambda k: k.endswith("_auth_methods_supported"),
    ),
    Category(
        "Code challenge methods",
        "code challenge method",
        lambda k: k == "code_challenge_methods_supported",
    ),
    Category("Other supported values", "value", lambda k: True),
)
# Categories with one key name the value plainly ("adds grant type X"); the others say which
# key it belongs to ("adds signing algorithm EdDSA to dpop_signing_alg_values_supported").
_SINGLE_KEY = {
    "Grant types",
    "Response types",
    "Response modes",
    "Scopes",
    "Code challenge methods",
}
ENDPOINTS = "Endpoints"
OTHER_METADATA = "Other metadata"
CATEGORY_ORDER = (ENDPOINTS, *(c.title for c in LIST_CATEGORIES), OTHER_METADATA)


@dataclass(frozen=True)
class Change:
    """One difference, in words, in one document and category."""

    document: str
    category: str
    line: str


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _string_list(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _list_category(key: str) -> Category:
    return next(category for category in LIST_CATEGORIES if category.matches(key))


def _diff_endpoints(key: str, old: Any, new: Any, to: str) -> list[str]:
    if key == "mtls_endpoint_aliases" and isinstance(old, Mapping) and isinstance(new, Mapping):
        lines = []
        for name in sorted(set(old) | set(new)):
            if name not in old:
                lines.append(f"Keycloak {to} adds mTLS endpoint alias {name}: {new[name]}")
            elif name not in new:
                lines.append(f"Keycloak {to} removes mTLS endpoint alias {name}")
            elif old[name] != new[name]:
                lines.append(
                    f"Keycloak {to} moves mTLS endpoint alias {name} "
                    f"from {old[name]} to {new[name]}"
                )
        return lines
    if old is None:
        return [f"Keycloak {to} adds endpoint {key}: {_show(new)}"]
    if new is None:
        return [f"Keycloak {to} removes endpoint {key} (was {_show(old)})"]
    return [f"Keycloak {to} moves endpoint {key} from {_show(old)} to {_show(new)}"]


def _diff_values(key: str, old: list[str], new: list[str], to: str) -> tuple[str, list[str]]:
    category = _list_category(key)
    where = "" if category.title in _SINGLE_KEY else f" ({key})"
    lines = [f"Keycloak {to} adds {category.noun} {v}{where}" for v in sorted(set(new) - set(old))]
    lines += [
        f"Keycloak {to} removes {category.noun} {v}{where}" for v in sorted(set(old) - set(new))
    ]
    return category.title, lines


def diff_document(
    name: str, old: Mapping[str, Any], new: Mapping[str, Any], to: str
) -> list[Change]:
    """The changes from `old` to `new` of one document, in category order."""
    changes: list[Change] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if _is_endpoint(key):
            changes += [
                Change(name, ENDPOINTS, line) for line in _diff_endpoints(key, before, after, to)
            ]
            continue
        old_list, new_list = _string_list(before), _string_list(after)
        if old_list is not None or new_list is not None:
            if key not in old:
                changes.append(Change(name, _list_category(key).title, f"Keycloak {to} adds {key}"))
            elif key not in new:
                changes.append(
                    Change(name, _list_category(key).title, f"Keycloak {to} removes {key}")
                )
            title, lines = _diff_values(key, old_list or [], new_list or [], to)
            changes += [Change(name, title, line) for line in lines]
        elif key not in old:
            changes.append(
                Change(name, OTHER_METADATA, f"Keycloak {to} adds {key} = {_show(after)}")
            )
        elif key not in new:
            changes.append(
                Change(name, OTHER_METADATA, f"Keycloak {to} removes {key} (was {_show(before)})")
            )
        else:
            changes.append(
                Change(
                    name,
                    OTHER_METADATA,
                    f"Keycloak {to} changes {key} from {_show(before)} to {_show(after)}",
                )
            )
    order = {title: index for index, title in enumerate(CATEGORY_ORDER)}
    # sorted() is stable: within a category, changes stay in key order.
    return sorted(changes, key=lambda change: order[change.category])


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any], to: str) -> list[Change]:
    """Changes across every document of two snapshots (see snapshot())."""
    changes: list[Change] = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            changes.append(Change(name, OTHER_METADATA, f"Keycloak {to} adds document {name}"))
        elif name not in new:
            changes.append(Change(name, OTHER_METADATA, f"Keycloak {to} removes document {name}"))
        else:
            changes += diff_document(name, old[name], new[name], to)
    return changes


def report(changes: list[Change], from_version: str, to_version: str) -> str:
    """The plain-words report printed by `make spec-diff`."""
    header = f"Discovery of Keycloak {from_version} → {to_version} (spec/keycloak/)"
    if not changes:
        return (
            f"{header}\n\nKeycloak {from_version} and {to_version} advertise identical "
            "discovery documents.\n"
        )
    out = [header]
    document = category = None
    for change in changes:
        if change.document != document:
            document, category = change.document, None
            out += ["", f"{document}.json"]
        if change.category != category:
            category = change.category
            out.append(f"  {category}")
        out.append(f"    {change.line}")
    count = len(changes)
    out += ["", f"{count} difference{'s' if count != 1 else ''}."]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator spec-diff",
        description="Show what changed between two captured Keycloak versions: the discovery "
        "documents, then the Admin REST API.",
    )
    parser.add_argument("from_version", metavar="FROM", help="older version, e.g. 26.4.7")
    parser.add_argument("to_version", metavar="TO", help="newer version, e.g. 26.7.3")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--discovery-only", action="store_true", help="skip the admin API")
    only.add_argument("--admin-only", action="store_true", help="skip the discovery documents")
    args = parser.parse_args(argv)
    versions = (args.from_version, args.to_version)
    parts: list[str] = []
    if not args.admin_only:
        try:
            old, new = snapshot(args.from_version), snapshot(args.to_version)
        except SnapshotError as exc:
            print(f"spec-diff: {exc}", file=sys.stderr)
            return 2
        parts.append(report(diff_snapshots(old, new, args.to_version), *versions))
    if not args.discovery_only:
        from generator import admin_diff
        from generator.admin_capture import AdminCaptureError, load_raw
        from generator.admin_mends import mend

        try:
            old_admin = mend(load_raw(args.from_version)).document
            new_admin = mend(load_raw(args.to_version)).document
        except AdminCaptureError as exc:
            if args.admin_only:
                print(f"spec-diff: {exc}", file=sys.stderr)
                return 2
            parts.append(f"Admin REST API: not compared ({exc}).\n")
        else:
            diff = admin_diff.diff_admin(old_admin, new_admin, *versions)
            parts.append(admin_diff.report(diff))
    sys.stdout.write("\n".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
