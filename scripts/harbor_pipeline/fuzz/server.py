"""Start the service as a real uvicorn process on a free port, against a fresh database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
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
from typing import IO


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
    import asyncpg  # only a PostgreSQL run needs it; the installed tool does not depend on it

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


DEFAULT_APP = "service.app:create_app_from_env"


@contextlib.contextmanager
def live_server(
    database_url: str,
    *,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    app: str = DEFAULT_APP,
) -> Iterator[LiveServer]:
    """Migrate, serve `app` (a uvicorn factory) with uvicorn, wait for /health; stop it
    (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HARBOR_ENVIRONMENT": "test",
        "HARBOR_LOG_LEVEL": "warning",
        # The fuzzer and the client tests send thousands of requests with one token: rate
        # limiting off unless a test turns it on (production keeps the default limit).
        "HARBOR_RATE_LIMIT_PER_SECOND": "0",
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
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        # As `python -m service` serves: no `server` header.
        "--no-server-header",
    ]
    # The log goes to a file, never a pipe nobody reads: a server logging many errors would
    # fill the pipe and stall mid-run.
    with (
        tempfile.TemporaryDirectory(prefix="harbor-fuzz-log-") as logs,
        (Path(logs) / "server.log").open("w+") as log,
    ):
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process, log)
            yield LiveServer(url=url, database_url=database_url, environment=env)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """As an orchestrator stops a server: SIGTERM, and SIGKILL if it is still up after `grace`."""
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    if process.poll() is None:
        process.kill()
        process.wait()


def _wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: IO[str], timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(
                f"the server exited with {process.returncode} before it was healthy:\n"
                f"{log.read()[-2000:]}"
            )
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(f"{url}/health", timeout=1) as response,  # loopback only
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server at {url} was not healthy within {timeout:.0f}s")


def throwaway_keys() -> dict[str, str]:
    """Signing and cursor keys of one server's own (as `extra_env`): no token or cursor made
    for another server, or with the development keys, is valid against it."""
    return {
        "HARBOR_JWT_KEY": secrets.token_urlsafe(32),
        "HARBOR_CURSOR_KEY": secrets.token_urlsafe(32),
    }


def mint_token(server: LiveServer, customer: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "service.auth.devtoken", customer],
        env=server.environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return completed.stdout.strip()
