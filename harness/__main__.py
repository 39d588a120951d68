"""`python -m harness fetch|up|down|status` — the real Keycloak for humans and make targets."""

from __future__ import annotations

import argparse
import json
import os
import sys

from harness.keycloak import CACHE, KeycloakServer, KeycloakStartError, fetch, stop_process_group

STATE = CACHE / "server.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _read_state() -> dict[str, object] | None:
    try:
        state: dict[str, object] = json.loads(STATE.read_text())
    except (OSError, ValueError):
        return None
    pid = state.get("pid")
    return state if isinstance(pid, int) and _alive(pid) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness")
    parser.add_argument("command", choices=["fetch", "up", "down", "status"])
    parser.add_argument("--version", default=None, help="Keycloak version (KEYCLOAK_VERSION)")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            server = KeycloakServer(args.version)
            print(f"Keycloak {server.version} ready in {fetch(server.version)}")
        elif args.command == "up":
            running = _read_state()
            if running is not None:
                print(f"Keycloak already running: {running['base_url']} (pid {running['pid']})")
                return 0
            server = KeycloakServer(args.version).start()
            state = {
                "version": server.version,
                "base_url": server.base_url,
                "issuer": server.issuer(),
                "pid": server.pid,
                "log": str(server.log_path),
                "ciba_channel_uri": server.ciba_channel_uri,
            }
            STATE.write_text(json.dumps(state, indent=2))
            user, password = server.admin_credentials
            print(f"Keycloak {server.version} is up in {server.start_seconds:.1f}s")
            print(f"  issuer of the test realm: {server.issuer()}")
            print(f"  admin console: {server.base_url}/admin/ ({user} / {password})")
            print(f"  tests reuse it with: export KEYCLOAK_URL={server.base_url}")
            print(f"  CIBA requests are posted to {server.ciba_channel_uri}")
            print("  stop it with: make keycloak-down")
        elif args.command == "down":
            running = _read_state()
            if running is None:
                print("No Keycloak started by `make keycloak-up` is running.")
            else:
                pid = running["pid"]
                assert isinstance(pid, int)
                stop_process_group(pid)
                print(f"Stopped Keycloak (pid {pid}).")
            STATE.unlink(missing_ok=True)
        else:
            running = _read_state()
            print(json.dumps(running, indent=2) if running else "not running")
    except KeycloakStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
