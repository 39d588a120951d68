"""Fetch, start and stop a real Keycloak (the `keycloak-quarkus-dist` Maven artifact).

The distribution is fetched with Maven's dependency plugin, cached under `.cache/keycloak/`,
and started with `kc.sh start-dev` on free loopback ports with an in-memory database, a pinned
hostname (so the issuer stays the same however the server is reached) and our test realm
imported. The server runs in its own process group so that stopping it never leaves a JVM.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "keycloak"
REALM_DIR = ROOT / "tests" / "realm"
# The Keycloak version the SDK is generated for and tested against by default: one file.
DEFAULT_VERSION = (ROOT / "spec" / "keycloak" / "default-version").read_text().strip()
# Pinned: the fetch step must not change under us.
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.11.0"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-password"  # noqa: S105 - a throwaway dev server on loopback
TEST_REALM = "sdk-test"
# Keycloak posts every CIBA request to an "authentication channel" URL: a server option, not
# realm data. Tests play that channel on a loopback port (see tests/integration).
CIBA_CHANNEL_ENV = (
    "KC_SPI_CIBA_AUTH_CHANNEL__CIBA_HTTP_AUTH_CHANNEL__HTTP_AUTHENTICATION_CHANNEL_URI"
)
# The same option before Keycloak 26.3 introduced `--` between SPI, provider and option.
LEGACY_CIBA_CHANNEL_ENV = (
    "KC_SPI_CIBA_AUTH_CHANNEL_CIBA_HTTP_AUTH_CHANNEL_HTTP_AUTHENTICATION_CHANNEL_URI"
)
# Keycloak major/minor from which a newer JDK than 17 is needed. None so far: 26.x runs on 17.
_JAVA_FLOOR: list[tuple[tuple[int, int], int]] = [((27, 0), 21)]
#: Every version the SDK is tested on (CI runs the live suites on each; docs/regenerating.md).
SUPPORTED_VERSIONS: tuple[str, ...] = (DEFAULT_VERSION, "26.5.6", "26.4.7", "25.0.6", "24.0.5")


def version_tuple(version: str) -> tuple[int, ...]:
    """`"26.4.7"` -> `(26, 4, 7)`; for comparisons such as `version_tuple(v) >= (25,)`."""
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def server_args(version: str, base_url: str, port: int, management_port: int) -> list[str]:
    """`kc.sh start-dev` options for this version: 25 added the management port and made the
    hostname a full URL (hostname v2); 24 takes `--hostname-url`."""
    args = [
        "start-dev",
        "--http-host=127.0.0.1",
        f"--http-port={port}",
        "--hostname-strict=true",
        "--db=dev-mem",
        "--health-enabled=true",
        "--import-realm",
    ]
    if version_tuple(version) >= (25,):
        args += [f"--http-management-port={management_port}", f"--hostname={base_url}"]
    else:
        args += [f"--hostname-url={base_url}", "--hostname-strict-https=false"]
    return args


class KeycloakStartError(RuntimeError):
    """Keycloak could not be fetched or did not become ready in time."""


def default_version() -> str:
    return os.environ.get("KEYCLOAK_VERSION") or DEFAULT_VERSION


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(version: str) -> Path:
    """Download (once) and unzip the distribution; return its home folder."""
    home = CACHE / f"keycloak-{version}"
    if (home / "bin" / "kc.sh").exists():
        return home
    CACHE.mkdir(parents=True, exist_ok=True)
    # Tests, examples and make targets may fetch the same version at once.
    with (CACHE / f".fetch-{version}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / "bin" / "kc.sh").exists():
            return home
        _download_and_unzip(version, home)
    return home


def _download_and_unzip(version: str, home: Path) -> None:
    archive = CACHE / f"keycloak-quarkus-dist-{version}.zip"
    if not archive.exists():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KeycloakStartError("Maven (mvn) is needed to fetch Keycloak; install it first")
        cmd = [
            mvn,
            "--batch-mode",
            "--quiet",
            f"{DEPENDENCY_PLUGIN}:copy",
            f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{version}:zip",
            f"-DoutputDirectory={CACHE}",
        ]
        result = subprocess.run(cmd, cwd=CACHE, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not archive.exists():
            raise KeycloakStartError(
                f"mvn could not fetch keycloak-quarkus-dist {version}:\n"
                f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
    staging = CACHE / f".unzip-{version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(staging)
    (extracted,) = list(staging.iterdir())
    for script in (extracted / "bin").glob("*.sh"):
        script.chmod(0o755)
    extracted.rename(home)
    shutil.rmtree(staging, ignore_errors=True)


def _java_major(java_home: Path | None) -> int:
    java = str(java_home / "bin" / "java") if java_home else (shutil.which("java") or "java")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    # 'openjdk version "17.0.15" ...' or 'openjdk version "25" ...'
    quoted = out.split('"')[1] if '"' in out else "0"
    return int(quoted.split(".")[0])


def choose_java_home(version: str) -> Path | None:
    """The default JDK if it is new enough for this Keycloak, else the newest JDK installed."""
    parts = tuple(int(p) for p in version.split(".")[:2])
    needed = 17
    for floor, java in _JAVA_FLOOR:
        if parts >= floor:
            needed = java
    current = os.environ.get("JAVA_HOME")
    if _java_major(Path(current) if current else None) >= needed:
        return Path(current) if current else None
    candidates = sorted(Path("/usr/lib/jvm").glob("*"), reverse=True)
    for candidate in candidates:
        if (candidate / "bin" / "java").exists() and _java_major(candidate) >= needed:
            return candidate
    raise KeycloakStartError(f"Keycloak {version} needs Java {needed}+; none is installed")


class KeycloakServer:
    """One Keycloak process. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        version: str | None = None,
        *,
        realm_dir: Path = REALM_DIR,
        port: int | None = None,
        startup_timeout: float = 240.0,
        features: tuple[str, ...] = (),
    ) -> None:
        self.version = version or default_version()
        self.realm_dir = realm_dir
        self.port = port or free_port()
        self.management_port = free_port()
        self.startup_timeout = startup_timeout
        self.features = features
        self.base_url = f"http://127.0.0.1:{self.port}"
        # An already chosen channel (a test suite that serves it) wins over a fresh port.
        self.ciba_channel_uri = (
            os.environ.get(CIBA_CHANNEL_ENV) or f"http://127.0.0.1:{free_port()}/ciba"
        )
        self.run_dir = CACHE / "runs" / f"{self.version}-{self.port}"
        self.log_path = self.run_dir / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.start_seconds: float | None = None

    # -- addresses -------------------------------------------------------------------------
    def issuer(self, realm: str = TEST_REALM) -> str:
        return f"{self.base_url}/realms/{realm}"

    @property
    def admin_credentials(self) -> tuple[str, str]:
        return ADMIN_USER, ADMIN_PASSWORD

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> KeycloakServer:
        home = self._prepare_run_home(fetch(self.version))
        java_home = choose_java_home(self.version)
        env = dict(os.environ)
        env.update(
            KC_BOOTSTRAP_ADMIN_USERNAME=ADMIN_USER,
            KC_BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD,
            # The names before Keycloak 26.
            KEYCLOAK_ADMIN=ADMIN_USER,
            KEYCLOAK_ADMIN_PASSWORD=ADMIN_PASSWORD,
            JAVA_OPTS_KC_HEAP="-Xms128m -Xmx1024m",
        )
        env[CIBA_CHANNEL_ENV] = self.ciba_channel_uri
        if version_tuple(self.version) < (26, 3):
            env[LEGACY_CIBA_CHANNEL_ENV] = self.ciba_channel_uri
        if java_home is not None:
            env["JAVA_HOME"] = str(java_home)
        args = [
            str(home / "bin" / "kc.sh"),
            *server_args(self.version, self.base_url, self.port, self.management_port),
        ]
        if self.features:
            args.append(f"--features={','.join(self.features)}")
        log = self.log_path.open("wb")
        began = time.monotonic()
        self._process = subprocess.Popen(
            args, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def _prepare_run_home(self, dist: Path) -> Path:
        """A private Keycloak home per run that links the big, read-only parts of `dist`.

        Keycloak writes its build output (lib/quarkus) and data into its home, and imports
        realms from data/import, so concurrent servers must not share those folders.
        """
        shutil.rmtree(self.run_dir, ignore_errors=True)
        home = self.run_dir / "home"
        (home / "bin").mkdir(parents=True)
        for entry in (dist / "bin").iterdir():
            if entry.name == "kc.sh":
                shutil.copy2(entry, home / "bin" / entry.name)
            else:
                (home / "bin" / entry.name).symlink_to(entry)
        shutil.copytree(dist / "conf", home / "conf")
        (home / "lib").mkdir()
        (home / "lib" / "lib").symlink_to(dist / "lib" / "lib")
        shutil.copytree(dist / "lib" / "app", home / "lib" / "app")
        shutil.copytree(dist / "lib" / "quarkus", home / "lib" / "quarkus")
        shutil.copy2(dist / "lib" / "quarkus-run.jar", home / "lib" / "quarkus-run.jar")
        for shared in ("themes", "providers"):
            (home / shared).symlink_to(dist / shared)
        import_dir = home / "data" / "import"
        import_dir.mkdir(parents=True)
        for realm_file in sorted(self.realm_dir.glob("*.json")):
            shutil.copy(realm_file, import_dir / realm_file.name)
        return home

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.issuer()}/.well-known/openid-configuration"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise KeycloakStartError(
                    f"Keycloak {self.version} exited with code {self._process.returncode}.\n"
                    f"Last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200 and json.load(response).get("issuer"):
                        return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.5)
        raise KeycloakStartError(
            f"Keycloak {self.version} was not ready at {url} after {self.startup_timeout:.0f}s.\n"
            f"Last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self, timeout: float = 30.0) -> None:
        if self._process is None:
            return
        stop_process_group(self._process.pid, timeout)
        self._process.wait()
        self._process = None

    def __enter__(self) -> KeycloakServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def stop_process_group(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is left after `timeout` seconds."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
