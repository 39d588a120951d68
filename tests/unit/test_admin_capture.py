"""The admin OpenAPI capture (generator/admin_capture.py) without Maven: the pom it writes,
what it refuses, and the committed documents. tests/integration/test_capture.py runs Maven."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from generator.admin_capture import (
    ADMIN_FILE,
    EXCLUDED,
    SNAPSHOT_DIR,
    AdminCaptureError,
    admin_versions,
    check_document,
    load_raw,
    pom,
    render,
    summarize,
)
from generator.spec_diff import snapshot

NS = {"m": "http://maven.apache.org/POM/4.0.0"}

# Measured on the committed captures; docs/admin-spec.md quotes them.
COUNTS = {
    "24.0.5": (231, 348, {"get": 176, "post": 73, "delete": 53, "put": 46}, 102, 19),
    "25.0.6": (235, 355, {"get": 180, "post": 73, "delete": 54, "put": 48}, 107, 19),
    "26.4.7": (247, 374, {"get": 190, "post": 78, "delete": 57, "put": 49}, 118, 21),
    "26.5.6": (256, 387, {"get": 195, "post": 83, "delete": 59, "put": 50}, 111, 21),
    "26.7.3": (273, 413, {"get": 210, "post": 88, "delete": 63, "put": 52}, 117, 21),
}


def test_the_pom_depends_on_keycloak_services_and_runs_the_scanner() -> None:
    root = ET.fromstring(pom("26.7.3"))  # noqa: S314 - our own pom text
    assert root.findtext("m:packaging", namespaces=NS) == "pom"
    (dependency,) = root.findall("m:dependencies/m:dependency", NS)
    assert dependency.findtext("m:artifactId", namespaces=NS) == "keycloak-services"
    assert dependency.findtext("m:version", namespaces=NS) == "26.7.3"
    excluded = [
        e.findtext("m:artifactId", namespaces=NS)
        for e in dependency.iter(f"{{{NS['m']}}}exclusion")
    ]
    assert excluded == list(EXCLUDED) == ["keycloak-model-storage-private", "keycloak-config-api"]
    (plugin,) = root.findall("m:build/m:plugins/m:plugin", NS)
    assert plugin.findtext("m:artifactId", namespaces=NS) == "smallrye-open-api-maven-plugin"
    assert plugin.findtext("m:version", namespaces=NS) == "3.6.2"
    assert plugin.findtext("m:configuration/m:scanProfiles", namespaces=NS) == "admin"
    assert plugin.findtext("m:configuration/m:infoVersion", namespaces=NS) == "26.7.3"
    goals = [g.text for g in plugin.iter(f"{{{NS['m']}}}goal")]
    assert goals == ["generate-schema"]


@pytest.mark.parametrize("version", ["26.7.3</version>", "../26", "26.7.3 ", "", "$(x)"])
def test_the_pom_refuses_what_is_not_a_version(version: str) -> None:
    with pytest.raises(AdminCaptureError, match="not a Keycloak version"):
        pom(version)


def test_check_document_refuses_other_documents() -> None:
    good = {
        "openapi": "3.0.3",
        "info": {"title": "Keycloak Admin REST API", "version": "26.7.3"},
        "paths": {"/admin/realms": {}},
    }
    check_document(good, "26.7.3")
    with pytest.raises(AdminCaptureError, match="info block"):
        check_document(good, "26.5.6")
    with pytest.raises(AdminCaptureError, match="OpenAPI 3"):
        check_document({**good, "openapi": "2.0"}, "26.7.3")
    with pytest.raises(AdminCaptureError, match="no /admin/realms"):
        check_document({**good, "paths": {"/realms": {}}}, "26.7.3")


def test_every_supported_version_is_captured() -> None:
    assert set(COUNTS) <= set(admin_versions())


@pytest.mark.parametrize("version", sorted(COUNTS))
def test_committed_capture_is_normalized_and_counted(version: str) -> None:
    text = (SNAPSHOT_DIR / version / ADMIN_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    assert render(document) == text  # byte-stable: sorted keys, 2-space indent, newline
    check_document(document, version)
    paths, operations, by_method, schemas, tags = COUNTS[version]
    summary = summarize(document)
    assert (summary.paths, summary.operations, summary.by_method) == (paths, operations, by_method)
    assert (summary.schemas, summary.tags) == (schemas, tags)
    assert (summary.deprecated, summary.untagged) == (7, 31)
    # The raw capture: no mend applied (Keycloak has no security scheme, issue 36903).
    assert "securitySchemes" not in document.get("components", {})
    assert "servers" not in document


def test_the_summary_line() -> None:
    assert summarize(load_raw("26.7.3")).line() == (
        "273 paths, 413 operations (210 GET, 88 POST, 63 DELETE, 52 PUT, 7 deprecated), "
        "117 schemas, 21 tags, 31 operations without a tag"
    )


def test_discovery_snapshots_leave_the_admin_document_out() -> None:
    assert sorted(snapshot("26.7.3")) == ["openid-configuration", "uma2-configuration"]


def test_a_missing_version_names_the_captured_ones() -> None:
    with pytest.raises(
        AdminCaptureError, match=r"no admin document for Keycloak 9\.9\.9.*26\.7\.3"
    ):
        load_raw("9.9.9")
