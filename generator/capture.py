"""Capture Keycloak's discovery documents into reproducible snapshots under spec/keycloak/.

`python -m generator capture --keycloak-version X` starts that Keycloak with our test realm,
fetches `/.well-known/openid-configuration` and `/.well-known/uma2-configuration` of the
`sdk-test` realm, validates each against its JSON Schema in spec/schemas/, and writes them,
normalized, to spec/keycloak/X/.

Normalizing makes a capture independent of where and when the server ran: the realm's issuer
URL becomes the placeholder `{issuer}` (and any other mention of the server's base URL becomes
`{server}`), object keys are sorted and arrays of plain strings are sorted, because Keycloak
builds several of those lists from hash sets whose order changes between runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
SCHEMA_DIR = SPEC_DIR / "schemas"
SNAPSHOT_DIR = SPEC_DIR / "keycloak"
REALM = "sdk-test"
ISSUER_PLACEHOLDER = "{issuer}"
SERVER_PLACEHOLDER = "{server}"
HTTP_TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class DiscoveryDocument:
    """One well-known document we snapshot: where it is served and what validates it."""

    file_name: str
    well_known_path: str
    schema_file: str


DOCUMENTS: tuple[DiscoveryDocument, ...] = (
    DiscoveryDocument(
        "openid-configuration.json",
        ".well-known/openid-configuration",
        "provider-metadata.json",
    ),
    DiscoveryDocument(
        "uma2-configuration.json",
        ".well-known/uma2-configuration",
        "uma2-configuration.json",
    ),
)


class CaptureError(RuntimeError):
    """A discovery document could not be fetched, or it does not match its schema."""


def load_schema(schema_file: str, schema_dir: Path = SCHEMA_DIR) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((schema_dir / schema_file).read_text(encoding="utf-8"))
    return schema


def _is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc) and not any(c.isspace() for c in value)


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's 2020-12 format checks plus `uri`, which jsonschema only checks when an
    optional URI package is installed; ours needs none: an absolute URL without spaces."""
    checker = jsonschema.FormatChecker(
        formats=list(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)
    )
    checker.checks("uri")(_is_absolute_uri)
    return checker


def validator_for(schema_file: str, schema_dir: Path = SCHEMA_DIR) -> jsonschema.Validator:
    # The sibling schemas are registered under their file names, so that a `$ref` such as
    # `access-token-claims.json#/$defs/Address` resolves (one model per concept).
    registry: Registry[Any] = Registry().with_resources(
        (path.name, Resource.from_contents(load_schema(path.name, schema_dir)))
        for path in sorted(schema_dir.glob("*.json"))
    )
    return jsonschema.Draft202012Validator(
        load_schema(schema_file, schema_dir), format_checker=format_checker(), registry=registry
    )


def validate(document: Any, schema_file: str, schema_dir: Path = SCHEMA_DIR) -> None:
    """Raise CaptureError listing every place where `document` breaks its schema."""
    validator = validator_for(schema_file, schema_dir)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  {_where(e)}: {e.message}" for e in errors]
        raise CaptureError(f"document does not match {schema_file}:\n" + "\n".join(lines))


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(map(str, error.absolute_path)) or "(root)"


def _url_pattern(url: str) -> re.Pattern[str]:
    # Only whole URL prefixes: the issuer of realm "sdk-test" must not match "sdk-test-2".
    return re.compile(re.escape(url.rstrip("/")) + r"(?=$|[/?#])")


def normalize(document: Any, *, issuer: str, server: str) -> Any:
    """Replace the issuer and server URLs by placeholders and sort keys and string arrays."""
    issuer_re, server_re = _url_pattern(issuer), _url_pattern(server)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return server_re.sub(SERVER_PLACEHOLDER, issuer_re.sub(ISSUER_PLACEHOLDER, value))
        if isinstance(value, Mapping):
            return {key: walk(value[key]) for key in sorted(value)}
        if isinstance(value, list):
            items = [walk(item) for item in value]
            if all(isinstance(item, str) for item in items):
                return sorted(items)
            return items
        return value

    return walk(document)


def expand(document: Any, *, issuer: str, server: str) -> Any:
    """The inverse of the URL part of normalize(): put real URLs back in place of placeholders."""
    if isinstance(document, str):
        return document.replace(ISSUER_PLACEHOLDER, issuer).replace(SERVER_PLACEHOLDER, server)
    if isinstance(document, Mapping):
        return {key: expand(value, issuer=issuer, server=server) for key, value in document.items()}
    if isinstance(document, list):
        return [expand(item, issuer=issuer, server=server) for item in document]
    return document


def render(document: Any) -> str:
    """The snapshot text: sorted keys, 2-space indent, UTF-8 as is, one trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def fetch_document(client: httpx.Client, url: str) -> Any:
    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise CaptureError(f"GET {url} failed: {exc}") from exc
    if response.status_code != httpx.codes.OK:
        raise CaptureError(f"GET {url} answered HTTP {response.status_code}: {response.text[:300]}")
    try:
        return response.json()
    except ValueError as exc:
        raise CaptureError(f"GET {url} did not return JSON: {exc}") from exc


def capture_documents(base_url: str, realm: str = REALM) -> dict[str, str]:
    """Fetch, validate and normalize every discovery document of a running server.

    Returns the snapshot text per file name; nothing is written.
    """
    server = base_url.rstrip("/")
    issuer = f"{server}/realms/{realm}"
    snapshots: dict[str, str] = {}
    with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
        for doc in DOCUMENTS:
            raw = fetch_document(client, f"{issuer}/{doc.well_known_path}")
            try:
                validate(raw, doc.schema_file)
            except CaptureError as exc:
                raise CaptureError(f"{doc.well_known_path} of {issuer}: {exc}") from exc
            if not isinstance(raw, dict) or raw.get("issuer") != issuer:
                raise CaptureError(
                    f"{doc.well_known_path}: issuer is {raw.get('issuer')!r}, expected {issuer!r}"
                )
            snapshots[doc.file_name] = render(normalize(raw, issuer=issuer, server=server))
    return snapshots


def capture_from_running(base_url: str, out_dir: Path, realm: str = REALM) -> list[Path]:
    """Capture from an already running server into `out_dir`; return the files written."""
    snapshots = capture_documents(base_url, realm)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in snapshots.items():
        path = out_dir / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def fetch_server_version(base_url: str, admin_user: str, admin_password: str) -> str:
    """The version a running Keycloak reports in its admin server info (master realm admin)."""
    server = base_url.rstrip("/")
    with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
        try:
            token = client.post(
                f"{server}/realms/master/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": admin_user,
                    "password": admin_password,
                },
            )
            token.raise_for_status()
            info = client.get(
                f"{server}/admin/serverinfo",
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            )
            info.raise_for_status()
            version = info.json()["systemInfo"]["version"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise CaptureError(f"could not read the version of {server}: {exc}") from exc
    if not isinstance(version, str):
        raise CaptureError(f"{server} reports a non-text version: {version!r}")
    return version


def capture_version(version: str, snapshot_dir: Path = SNAPSHOT_DIR) -> list[Path]:
    """Start Keycloak `version` with the test realm, capture its documents, stop it."""
    # Imported here so that importing this module (e.g. for normalize) needs no harness.
    from harness import KeycloakServer

    with KeycloakServer(version=version) as server:
        return capture_from_running(server.base_url, snapshot_dir / version)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator capture",
        description="Capture the discovery documents of a live Keycloak into spec/keycloak/.",
    )
    parser.add_argument("--keycloak-version", required=True, help="e.g. 26.7.3")
    parser.add_argument(
        "--from-url",
        default=None,
        help="capture from this already running server (with the sdk-test realm) instead of "
        "starting one; its version is checked against --keycloak-version",
    )
    args = parser.parse_args(argv)
    try:
        if args.from_url:
            from harness.keycloak import ADMIN_PASSWORD, ADMIN_USER

            running = fetch_server_version(args.from_url, ADMIN_USER, ADMIN_PASSWORD)
            if running != args.keycloak_version:
                raise CaptureError(
                    f"{args.from_url} runs Keycloak {running}, not {args.keycloak_version}"
                )
            written = capture_from_running(args.from_url, SNAPSHOT_DIR / args.keycloak_version)
        else:
            written = capture_version(args.keycloak_version)
    except Exception as exc:  # report any failure as one line, the server is already stopped
        print(f"capture failed: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
