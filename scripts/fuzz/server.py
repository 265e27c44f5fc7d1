"""Start the service as a real uvicorn process on a free port, against a fresh database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str
    database_url: str
    environment: dict[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def fresh_database(postgres_url: str | None) -> Iterator[str]:
    """A SQLite file in a temporary directory, or a new PostgreSQL database dropped afterwards."""
    if not postgres_url:
        with tempfile.TemporaryDirectory(prefix="harbor-fuzz-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'fuzz.db'}"
        return
    name = f"harbor_fuzz_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def live_server(
    database_url: str, *, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """Migrate, serve with uvicorn, wait for /health; stop it (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HARBOR_ENVIRONMENT": "test",
        "HARBOR_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    subprocess.run(
        [sys.executable, "-m", "service.db.migrate", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "service.app:create_app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        yield LiveServer(url=url, database_url=database_url, environment=env)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            raise RuntimeError(
                f"the server exited with {process.returncode} before it was healthy:\n{stderr[-2000:]}"
            )
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(f"{url}/health", timeout=1) as response,  # loopback only
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server at {url} was not healthy within {timeout:.0f}s")


def mint_token(server: LiveServer, customer: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "service.auth.devtoken", customer],
        env=server.environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout.strip()
