"""Which admin operations the last admin test session ran live, and why the others did not.

    .venv/bin/python -m tests.integration.admin.coverage [path/to/admin-coverage.json]

The admin tests' conftest records every operation answered with its documented success
(.cache/admin-coverage.json). This prints the count against the generated operations and
every operation not run, with the reason from REASONS (a path fragment → why).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator import admin_generate

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = ROOT / ".cache" / "admin-coverage.json"

REASONS = {
    "/management/permissions": "fine-grained admin permissions v1 (feature admin-fine-grained-"
    "authz:v1) is off in Keycloak 26: HTTP 501",
    "users-management-permissions": "fine-grained admin permissions v1 is off: HTTP 501",
    "/client-types": "feature client-types is off by default: HTTP 501",
    "/workflows": "workflows (experimental in 26.7) need a workflow definition and events; "
    "not set up by the tests",
    "email": "sends e-mail: the test realm has no SMTP server",
    "/invitations": "organization invitations are sent by e-mail: no SMTP server",
    "invite-": "organization invitations are sent by e-mail: no SMTP server",
    "testSMTPConnection": "needs an SMTP server",
    "/upload": "multipart upload of a key store or certificate: the document describes no body",
    "/client-secret/rotated": "needs a client policy with the secret-rotation executor",
    "/consents/": "needs a user who granted consent in a browser login",
    "/moveAfter/": "needs two credentials of one user (a password and an OTP device)",
    "register-required-action": "every required action of a default server is registered",
    "DELETE /admin/realms/{realm}/authentication/required-actions/{alias}": "deleting a "
    "built-in required action is not undone",
}


def main(argv: list[str]) -> int:
    record = Path(argv[0]) if argv else DEFAULT
    ran = set(json.loads(record.read_text(encoding="utf-8")))
    document = admin_generate.document(admin_generate_version())
    every = [
        f"{method.upper()} {path}"
        for path, item in sorted(document["paths"].items())
        for method in item
    ]
    missing = [op for op in every if op not in ran]
    share = 100 * (len(every) - len(missing)) / len(every)
    print(
        f"admin operations exercised live: {len(every) - len(missing)} of {len(every)} "
        f"({share:.1f}%)"
    )
    for op in missing:
        reason = next((why for part, why in REASONS.items() if part in op), "no reason recorded")
        print(f"  {op}: {reason}")
    return 0


def admin_generate_version() -> str:
    from generator.pipeline import DEFAULT_KEYCLOAK_VERSION

    return DEFAULT_KEYCLOAK_VERSION


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
