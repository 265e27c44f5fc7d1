"""A throwaway PostgreSQL cluster in a temporary directory, for tests that stop and start it.

The shared cluster (127.0.0.1:5432) is never touched: this one has its own data directory, its
own free port on 127.0.0.1 and its own socket directory, and is always stopped and removed when
the block ends, however it ends. PostgreSQL refuses to run as root, so when the tests run as
root the server runs as the `postgres` OS user (`runuser`), in a directory that user owns.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures.server import free_port


def _pg_bin() -> Path:
    """Where initdb and pg_ctl live: HARBOR_TEST_PG_BIN, else pg_config's answer, else the
    newest Debian-style /usr/lib/postgresql/N/bin."""
    if "HARBOR_TEST_PG_BIN" in os.environ:
        return Path(os.environ["HARBOR_TEST_PG_BIN"])
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        if (Path(found) / "initdb").exists():
            return Path(found)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    return versions[-1].parent if versions else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
OS_USER = "postgres"


def available() -> str | None:
    """Why a cluster cannot be started here, or None when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL binaries in {PG_BIN} (set HARBOR_TEST_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"running as root and there is no {OS_USER!r} OS user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing"
    return None


@dataclass
class PgCluster:
    """A running cluster: `url` reaches database `harbor` as the superuser `postgres`."""

    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/harbor"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, timeout=60, cwd=self.directory
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.directory} -c fsync=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        self._run("pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data), "-l", str(self.log),
                  "-o", options)  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server fully: `fast` ends every session (clients see their connection
        terminated), `immediate` is a crash without cleanup (recovery runs at the next start)."""
        self._run("pg_ctl", "stop", "-w", "-t", "30", "-m", mode, "-D", str(self.data))

    def is_running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def wait_until_stopped(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.is_running():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not stop:\n{self.log.read_text()}")
            time.sleep(0.05)


@contextlib.contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """A fresh cluster with an empty database `harbor`, running until the block ends."""
    why = available()
    if why is not None:
        raise RuntimeError(why)
    directory = Path(tempfile.mkdtemp(prefix="harbor-pg-"))
    cluster = PgCluster(directory, free_port())
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam(OS_USER)
            os.chown(directory, user.pw_uid, user.pw_gid)
        directory.chmod(0o700)
        cluster._run("initdb", "-D", str(cluster.data), "-U", "postgres", "-A", "trust",
                     "-E", "UTF8", "--no-instructions", "--no-sync")  # fmt: skip
        cluster.start()
        cluster._run("createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
                     "harbor")  # fmt: skip
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            if cluster.data.exists() and cluster.is_running():
                cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)
