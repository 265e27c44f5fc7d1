"""The servers under test: how each one starts, and how much CPU its processes spent."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.httpbench import reuseport

ROOT = Path(__file__).resolve().parents[2]
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Candidate:
    key: str  # short name in tables and file names
    label: str  # what it is, for the table and the chart
    factory: str  # the uvicorn factory
    root: Path = ROOT  # the checkout it runs from (another one to compare commits)
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request by the load
    endpoints: tuple[str, ...] = ("get", "list", "post")  # the endpoints it is measured on


CANDIDATES = (
    Candidate("harbor", "Harbor (generated + service)", "service.app:create_app_from_env"),
    Candidate(
        "fastapi-orm", "2a FastAPI + SQLAlchemy async ORM", "bench.apps.fastapi_orm:create_app"
    ),
    Candidate("fastapi-asyncpg", "2b FastAPI + asyncpg", "bench.apps.fastapi_asyncpg:create_app"),
    Candidate(
        "connexion", "3 connexion 3 (spec at run time)", "bench.apps.connexion_app:create_app"
    ),
    Candidate("floor", "4 floor: Starlette + asyncpg", "bench.apps.starlette_floor:create_app"),
    # Not a peer: 2b with the create most teams write (BEGIN, lock, read, three INSERTs, COMMIT),
    # to show what Harbor's one statement is worth. Its reads are 2b's, so only POST runs.
    Candidate(
        "fastapi-asyncpg-tx",
        "2b, create in 7 round trips (what most teams write)",
        "bench.apps.fastapi_asyncpg:create_app_in_transaction",
        endpoints=("post",),
    ),
)


def version_candidates(newest: str) -> tuple[Candidate, ...]:
    """Harbor naming the newest version in every request, and Harbor without the version
    middleware: with plain Harbor, the cost of serving every version (`run --versions`)."""
    return (
        Candidate(
            "harbor-header",
            f"Harbor, every request with Harbor-Version: {newest}",
            CANDIDATES[0].factory,
            headers=(("Harbor-Version", newest),),
        ),
        Candidate(
            "harbor-unversioned",
            "Harbor without the version middleware",
            "bench.bench_versions:unversioned_app",
        ),
    )


@dataclass(frozen=True, slots=True)
class Running:
    url: str
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve(
    candidate: Candidate,
    *,
    workers: int,
    env: dict[str, str],
    log: Path,
    cpus: str | None = None,
) -> Iterator[Running]:
    """One uvicorn server (uvloop, httptools, no access log) until the block ends, on the CPUs
    `cpus` (taskset's list) when given.

    Several workers get a listening socket each (`reuseport`), so that the kernel, not the
    race for one shared socket, decides which worker serves which of wrk's connections.
    """
    port = _free_port()
    if workers == 1:
        command = [
            sys.executable, "-m", "uvicorn", candidate.factory, "--factory",
            "--host", "127.0.0.1", "--port", str(port),
            "--loop", "uvloop", "--http", "httptools",
            "--no-access-log", "--log-level", "warning", "--no-server-header",
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "bench.httpbench.reuseport", candidate.factory,
            "--port", str(port), "--workers", str(workers),
        ]  # fmt: skip
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    with log.open("ab") as sink:
        env = {**env, "PYTHONPATH": str(candidate.root)}
        process = subprocess.Popen(command, cwd=candidate.root, env=env, stdout=sink, stderr=sink)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(url, process, log, workers)
        yield Running(url, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pinning(workers: int) -> tuple[str | None, str | None]:
    """(the server's CPUs, wrk's CPUs) for taskset: wrk on the last core and, with one worker,
    the server on the others, so the load generator never takes the server's core. None where
    it cannot be done (one core, no taskset, or as many workers as cores)."""
    cores = os.cpu_count() or 1
    if cores < 2 or shutil.which("taskset") is None:
        return None, None
    wrk = str(cores - 1)
    server = f"0-{cores - 2}" if workers < cores else None
    return server, wrk


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    deadline = time.monotonic() + 60
    port = int(url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited:\n{log.read_text()[-3000:]}")
        if workers > 1 and reuseport.listeners(port) < workers:
            time.sleep(0.1)
            continue
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(f"{url}/health", timeout=1) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} was not healthy within 60 s:\n{log.read_text()[-3000:]}")


def _processes() -> Iterator[tuple[int, int, float, str]]:
    """(pid, parent pid, CPU seconds, command line) of every process we may read."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
        yield int(entry.name), int(fields[1]), cpu, cmdline


def tree_cpu(root: int) -> float:
    """CPU seconds spent so far by `root` and its descendants (uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for pid, parent, seconds, _ in _processes():
        children.setdefault(parent, []).append(pid)
        cpu[pid] = seconds
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0.0)
        stack.extend(children.get(pid, ()))
    return total


def database_cpu(database: str) -> float:
    """CPU seconds spent so far by the PostgreSQL backends connected to `database`."""
    marker = f" {database} "
    return sum(s for _, _, s, cmd in _processes() if cmd.startswith("postgres:") and marker in cmd)
