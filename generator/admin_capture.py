"""Capture Keycloak's own Admin REST API OpenAPI document into spec/keycloak/<version>/.

Keycloak's build writes this document with `io.smallrye:smallrye-open-api-maven-plugin`
scanning `org.keycloak:keycloak-services` with `scanProfiles=admin` (profile `jboss-release`
of keycloak-services' pom). We run the same step on a small generated pom of packaging `pom`
that depends on `org.keycloak:keycloak-services:<version>` and nothing else, so a capture needs
Maven and Maven Central, never a running Keycloak.

Two dependencies are excluded: `keycloak-model-storage-private` and `keycloak-config-api`.
Their poms are missing from Maven Central for some versions (26.7.3), and with them on the
class path the scanner adds six schemas that Keycloak's published document does not have.

The plugin's output is kept as Keycloak wrote it, with only the formatting normalized (sorted
keys, 2-space indent, UTF-8, one trailing newline): `admin-openapi.json` is the raw capture.
Keycloak's defects are mended later, when the document is read (generator/admin_mends.py).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = ROOT / "spec" / "keycloak"
ADMIN_FILE = "admin-openapi.json"
# The plugin version of Keycloak's own build, the same for 24.0.5 through 26.7.3.
OPENAPI_PLUGIN = ("io.smallrye", "smallrye-open-api-maven-plugin", "3.6.2")
EXCLUDED = ("keycloak-model-storage-private", "keycloak-config-api")
TITLE = "Keycloak Admin REST API"
DESCRIPTION = "This is a REST API reference for the Keycloak Admin REST API."
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION = re.compile(r"\d+(\.\d+)*([.-][A-Za-z0-9]+)*")


class AdminCaptureError(RuntimeError):
    """Maven could not produce the admin document, or it is not what we expect."""


def check_version(version: str) -> str:
    """A Maven version we are willing to write into a pom (no markup, no paths)."""
    if not _VERSION.fullmatch(version):
        raise AdminCaptureError(f"not a Keycloak version: {version!r}")
    return version


def pom(version: str) -> str:
    """The capture pom for Keycloak `version`."""
    check_version(version)
    group, artifact, plugin_version = OPENAPI_PLUGIN
    exclusions = "".join(
        f"\n            <exclusion><groupId>org.keycloak</groupId>"
        f"<artifactId>{name}</artifactId></exclusion>"
        for name in EXCLUDED
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by keycloak-sdk's generator (generator/admin_capture.py); throwaway. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>keycloak-sdk.capture</groupId>
  <artifactId>keycloak-admin-openapi</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.keycloak</groupId>
      <artifactId>keycloak-services</artifactId>
      <version>{version}</version>
      <exclusions>{exclusions}
      </exclusions>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>{group}</groupId>
        <artifactId>{artifact}</artifactId>
        <version>{plugin_version}</version>
        <configuration>
          <scanProfiles>admin</scanProfiles>
          <outputDirectory>${{project.build.directory}}/openapi</outputDirectory>
          <infoTitle>{TITLE}</infoTitle>
          <infoDescription>{DESCRIPTION}</infoDescription>
          <infoVersion>{version}</infoVersion>
        </configuration>
        <executions>
          <execution>
            <goals><goal>generate-schema</goal></goals>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
"""


def run_maven(version: str, work_dir: Path, *, offline: bool = False) -> dict[str, Any]:
    """Run the capture pom in `work_dir` and return the document the plugin wrote."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise AdminCaptureError("Maven (mvn) is needed to capture the admin document")
    (work_dir / "pom.xml").write_text(pom(version), encoding="utf-8")
    cmd = [mvn, "--batch-mode", "--quiet", *(["--offline"] if offline else []), "package"]
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        cmd, cwd=work_dir, capture_output=True, text=True, check=False
    )
    output = work_dir / "target" / "openapi" / "openapi.json"
    if result.returncode != 0 or not output.exists():
        # The scanner logs harmless SROAP31016 errors on stderr; show the end of both streams.
        raise AdminCaptureError(
            f"mvn could not generate the admin document of Keycloak {version}:\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    document: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return document


def render(document: Any) -> str:
    """The stored text: sorted keys, 2-space indent, UTF-8 as is, one trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def check_document(document: Any, version: str) -> None:
    """Refuse anything that is not Keycloak's admin document of `version`."""
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise AdminCaptureError("the plugin did not write an OpenAPI 3 document")
    info = document.get("info", {})
    if info.get("title") != TITLE or info.get("version") != version:
        raise AdminCaptureError(f"unexpected info block: {info!r}")
    if not any(path.startswith("/admin/realms") for path in document.get("paths", {})):
        raise AdminCaptureError("the document has no /admin/realms paths")


def capture_text(version: str, *, offline: bool = False) -> str:
    """The normalized admin document of `version`, built in a throwaway folder."""
    with tempfile.TemporaryDirectory(prefix="keycloak-admin-openapi-") as work:
        document = run_maven(version, Path(work), offline=offline)
    check_document(document, version)
    return render(document)


def capture_admin(
    version: str, snapshot_dir: Path = SNAPSHOT_DIR, *, offline: bool = False
) -> Path:
    """Capture and write spec/keycloak/<version>/admin-openapi.json; return its path."""
    text = capture_text(version, offline=offline)
    path = snapshot_dir / version / ADMIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def admin_path(version: str, snapshot_dir: Path = SNAPSHOT_DIR) -> Path:
    return snapshot_dir / version / ADMIN_FILE


def admin_versions(snapshot_dir: Path = SNAPSHOT_DIR) -> list[str]:
    """Every version with a captured admin document, oldest first."""
    from generator.spec_diff import available_versions

    return [v for v in available_versions(snapshot_dir) if admin_path(v, snapshot_dir).exists()]


def load_raw(version: str, snapshot_dir: Path = SNAPSHOT_DIR) -> dict[str, Any]:
    """The committed raw capture of `version` (not mended)."""
    path = admin_path(version, snapshot_dir)
    if not path.exists():
        known = ", ".join(admin_versions(snapshot_dir)) or "none"
        raise AdminCaptureError(
            f"no admin document for Keycloak {version} (captured: {known}); "
            f"run `make spec-admin KEYCLOAK_VERSION={version}`"
        )
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class Summary:
    """What a document offers, in the figures the docs quote."""

    paths: int
    operations: int
    by_method: dict[str, int]
    deprecated: int
    schemas: int
    tags: int
    untagged: int

    def line(self) -> str:
        methods = ", ".join(f"{n} {m.upper()}" for m, n in self.by_method.items())
        return (
            f"{self.paths} paths, {self.operations} operations ({methods}, "
            f"{self.deprecated} deprecated), {self.schemas} schemas, {self.tags} tags, "
            f"{self.untagged} operations without a tag"
        )


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation, in path then method order."""
    found = []
    for path in sorted(document.get("paths", {})):
        item = document["paths"][path]
        for method in HTTP_METHODS:
            if method in item:
                found.append((method, path, item[method]))
    return found


def summarize(document: dict[str, Any]) -> Summary:
    ops = operations(document)
    counts = Counter(method for method, _, _ in ops)
    return Summary(
        paths=len(document.get("paths", {})),
        operations=len(ops),
        by_method={m: counts[m] for m in sorted(counts, key=lambda m: (-counts[m], m))},
        deprecated=sum(1 for *_, op in ops if op.get("deprecated")),
        schemas=len(document.get("components", {}).get("schemas", {})),
        tags=len(document.get("tags", [])),
        untagged=sum(1 for *_, op in ops if not op.get("tags")),
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator capture-admin",
        description="Capture Keycloak's Admin REST API OpenAPI document with Maven "
        "(no running Keycloak needed) into spec/keycloak/<version>/admin-openapi.json.",
    )
    parser.add_argument("--keycloak-version", required=True, help="e.g. 26.7.3")
    parser.add_argument("--offline", action="store_true", help="use the local Maven cache only")
    parser.add_argument(
        "--check",
        action="store_true",
        help="capture into memory and fail unless it equals the committed document",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            text = capture_text(args.keycloak_version, offline=args.offline)
            committed = admin_path(args.keycloak_version)
            if not committed.exists() or committed.read_text(encoding="utf-8") != text:
                print(
                    f"capture-admin: the capture of {args.keycloak_version} differs from "
                    f"{committed.relative_to(ROOT)}",
                    file=sys.stderr,
                )
                return 1
            print(f"{committed.relative_to(ROOT)} is reproducible")
            return 0
        path = capture_admin(args.keycloak_version, offline=args.offline)
    except AdminCaptureError as exc:
        print(f"capture-admin failed: {exc}", file=sys.stderr)
        return 1
    summary = summarize(json.loads(path.read_text(encoding="utf-8")))
    print(f"wrote {path.relative_to(ROOT)}: {summary.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
