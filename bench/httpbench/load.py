"""wrk as the load generator: one run of one endpoint, read back as numbers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.bench_deep_pages import CUSTOMER
from bench.httpbench.data import ORDER_BODY, Fixture

SCRIPTS = Path(__file__).resolve().parent / "wrk"


@dataclass(frozen=True, slots=True)
class Endpoint:
    key: str
    label: str
    script: str

    def arguments(self, fixture: Fixture) -> list[str]:
        if self.key == "get":
            return [fixture.reader_token, str(fixture.ids_file)]
        if self.key == "list":
            return [fixture.reader_token, CUSTOMER]
        return [fixture.writer_token, uuid.uuid4().hex, ORDER_BODY]


# In the order each server runs them: the writes last, so the reads never pay for their WAL.
ENDPOINTS = (
    Endpoint("get", "GET /v1/orders/{id}", "get_order.lua"),
    Endpoint("list", "GET /v1/customers/{id}/orders?limit=20", "list_orders.lua"),
    Endpoint("post", "POST /v1/orders", "create_order.lua"),
)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench: wrk is not installed (Debian: apt-get install -y wrk)")
    return found


def script_for(endpoint: Endpoint, workdir: Path) -> Path:
    """The endpoint's script with the shared reporting function appended (wrk takes one file)."""
    path = workdir / endpoint.script
    if not path.exists():
        parts = ("headers.lua", endpoint.script, "report.lua")
        path.write_text("".join((SCRIPTS / part).read_text() for part in parts))
    return path


def run_wrk(
    url: str,
    endpoint: Endpoint,
    fixture: Fixture,
    workdir: Path,
    *,
    seconds: float,
    connections: int,
    headers: Sequence[tuple[str, str]] = (),
    cpus: str | None = None,
) -> dict[str, object]:
    pin = ["taskset", "-c", cpus] if cpus is not None else []
    command = [*pin,
        wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script_for(endpoint, workdir)), url, "--", *endpoint.arguments(fixture),
    ]  # fmt: skip
    env = {**os.environ, "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(
            f"bench: wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}"
        )
    line = next(line for line in done.stdout.splitlines() if line.startswith("{"))
    result: dict[str, object] = json.loads(line)
    return result
