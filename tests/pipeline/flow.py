"""The adopter's flow, as the README's "Use Harbor for your own API" gives it: the tool installed
from ./scripts into a clean venv, `harbor init`, the new project's `make test` and `make run`.

Nothing of this repository's .venv is on the project's PATH: it sees the clean venv's `harbor`,
uv (this repository's pinned one, whose cache holds every pinned wheel after `make install`),
node/npm and the system's tools.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".venv-uv" / "bin" / "uv"


def uv() -> Path:
    found = shutil.which("uv")
    return Path(found) if found else UV


@dataclass
class Timings:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def measure(self, step: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.seconds[step] = round(time.monotonic() - started, 1)

    def line(self) -> str:
        return ", ".join(f"{step} {seconds} s" for step, seconds in self.seconds.items())


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    """The command's output; a failure fails the test with all of it."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout + done.stderr


def clean_env(venv: Path) -> dict[str, str]:
    """PATH: the clean venv, uv, then the system's folders (never this repository's .venv)."""
    system = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and ".venv" not in p]
    path = [str(venv / "bin"), str(uv().parent), *system]
    keep = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**keep, "PATH": os.pathsep.join(path)}


def install_tool(venv: Path, timings: Timings) -> dict[str, str]:
    """A clean venv with the harbor-pipeline distribution from ./scripts: from uv's cache with no
    network when it can, else from PyPI (the index answers the versions; wheels still come from the cache)."""
    with timings.measure("install"):
        run([str(uv()), "venv", "--quiet", str(venv)], ROOT, dict(os.environ))
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        install = [str(uv()), "pip", "install", "--quiet", str(ROOT / "scripts")]
        offline = subprocess.run([*install, "--offline"], env=env, capture_output=True, check=False)
        if offline.returncode != 0:
            run(install, ROOT, env)
    return clean_env(venv)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def make_serve(
    project: Path, env: dict[str, str], target: str = "run", port_variable: str = "PORT"
) -> Iterator[str]:
    """`make run` (or `make mock`) on a free port, until it answers; stopped (its process
    group) at the end."""
    port = free_port()
    server = subprocess.Popen(
        ["make", target, f"{port_variable}={port}"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0].decode()
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"make {target} did not answer within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
