"""Run the mix under wrk (tests/long/soak/mix.lua) and read back what each request got."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.long.soak.checks import Replay

MIX = Path(__file__).resolve().parent / "mix.lua"


@dataclass
class Traffic:
    """One wrk run, read back: every answered request, aggregated."""

    name: str  # warmup, max-c32, soak ...
    origin: float  # monotonic second the run started; offsets below count from here
    seconds: float  # how long it ran
    wrk_errors: dict[str, int]
    wrk_cpu_seconds: float  # wrk's own CPU time (user + system), all threads
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    # When each request was due (s from origin) and its latency from then (ms), and from its
    # actual send (service time, ms): parallel arrays, a million requests fit in a few MB.
    due: array[float] = field(default_factory=lambda: array("d"))
    latency: array[float] = field(default_factory=lambda: array("d"))
    service: array[float] = field(default_factory=lambda: array("d"))
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (key, order id) of 201s
    replays: list[Replay] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return len(self.due)

    def rate(self, skip: float = 0.0) -> float:
        """Requests answered per second, leaving out the first `skip` seconds."""
        kept = sum(1 for at in self.due if at >= skip)
        return kept / max(1e-9, self.seconds - skip)

    def samples(self) -> zip[tuple[float, float]]:
        return zip(self.due, self.latency, strict=True)

    def read(self, directory: Path) -> None:
        origin_us = self.origin * 1e6
        for path in sorted(directory.glob("thread-*.log")):
            with path.open() as lines:
                for line in lines:
                    kind, status, due, sent, answered, key, order_id = line.split()
                    code = int(status)
                    self.statuses[kind, code] += 1
                    self.due.append((int(due) - origin_us) / 1e6)
                    self.latency.append((int(answered) - int(due)) / 1000)
                    self.service.append((int(answered) - int(sent)) / 1000)
                    if kind == "create" and code == 201:
                        self.acknowledged.append((key, order_id))
                    elif kind == "replay":
                        self.replays.append(Replay(key, code, order_id))


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError(
            "soak: wrk is not installed (make soak installs it; or apt-get install wrk)"
        )
    return found


async def run_mix(
    url: str,
    *,
    tokens: Path,
    workdir: Path,
    seconds: float,
    connections: int,
    interval_us: int = 0,
    while_running: Callable[[], Awaitable[None]] | None = None,
) -> Traffic:
    """The mix for `seconds` on `connections` connections (one wrk thread each), closed loop
    (interval_us 0) or each connection paced to one request per interval_us. `while_running`
    is awaited alongside (cancelled when wrk ends): the RSS sampler."""
    await asyncio.to_thread(workdir.mkdir, parents=True)
    env = {
        **os.environ,
        "SOAK_TOKENS": str(tokens),
        "SOAK_OUT": str(workdir),
        "SOAK_TAG": f"{workdir.name}-{os.getpid()}-{time.time_ns()}",
        "SOAK_INTERVAL_US": str(interval_us),
    }
    command = [
        wrk_binary(), f"-t{connections}", f"-c{connections}", f"-d{round(seconds)}s",
        "--timeout", "10s", "-s", str(MIX), url,
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    origin = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    side = asyncio.ensure_future(while_running()) if while_running else None
    try:
        out, err = await process.communicate()
    finally:
        if side is not None:
            side.cancel()
            await asyncio.gather(side, return_exceptions=True)
    elapsed = time.monotonic() - origin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = next((line for line in out.decode().splitlines() if line.startswith("{")), None)
    if process.returncode != 0 or summary is None:
        raise RuntimeError(f"soak: wrk failed ({process.returncode}): {err.decode()}{out.decode()}")
    traffic = Traffic(
        name=workdir.name,
        origin=origin,
        seconds=min(elapsed, seconds),
        wrk_errors=json.loads(summary)["errors"],
        wrk_cpu_seconds=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )
    traffic.read(workdir)
    return traffic
