"""One soak, start to end: a fresh migrated PostgreSQL database, `python -m service --workers 2`,
the closed-loop maximum of the mix, the paced run with RSS sampled, the orders read back, the
verdicts (soak/checks.py) and every figure as a printable line."""

# The load generator is wrk (C; one connection per thread; the mix in soak/mix.lua): the Python
# client cannot send thousands of requests a second on two shared cores. The maximum is the
# closed-loop throughput of the same mix at two concurrencies (the higher counts). The figures
# show the CPU wrk used beside the server's workers and PostgreSQL, and whether doubling the
# concurrency raised throughput, so a maximum set by the generator rather than the server shows.

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from service.auth.tokens import issue_token
from tests.fixtures.databases import fresh_database
from tests.fixtures.server import Server, running_server
from tests.fixtures.service import make_settings
from tests.long.soak import checks
from tests.long.soak.procs import (
    cpu_seconds,
    machine_ticks,
    postgres_cpu_seconds,
    rss_kib,
    worker_pids,
)
from tests.long.soak.traffic import Traffic, run_mix

CUSTOMERS = 8
# The paced run's connections (each a wrk thread): many, each lightly loaded, so that one slow
# answer delays few requests behind it, as with independent clients.
CONNECTIONS = 128
# Closed-loop runs at these concurrencies; the maximum is the median of their throughputs, so
# one lucky or unlucky run on a shared machine does not set it. That 64 connections get no more
# than 32 shows the server side, not the generator's concurrency, is what saturates.
CALIBRATION = (32, 64, 32)
LOAD = 0.7
RSS_EVERY = 2.0  # seconds between samples of each worker's VmRSS


@dataclass
class Soak:
    """What one soak measured, its verdicts and its figures."""

    seconds: float
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(f"soak: {line}", flush=True)


async def soak(
    tmp_path: Path,
    *,
    seconds: float,
    rate: float | None = None,
    environ: Mapping[str, str] | None = None,
    before_readback: Callable[[asyncpg.Pool, list[tuple[str, str]]], Awaitable[None]] | None = None,
) -> Soak:
    """Run one soak. `rate`: pace at this many req/s instead of calibrating. `environ`: extra
    variables for the server. `before_readback(pool, acknowledged)`: a hook that may change the
    database before the orders are read back (the harness's deliberate regressions)."""
    result = Soak(seconds)
    async with (
        fresh_database("postgres", tmp_path) as url,
        running_server(
            url,
            tmp_path,
            workers=2,
            environ=environ,
            access_log="false",
            rate_limit_per_second="0",
        ) as server,
    ):
        workers = worker_pids(server.process.pid)
        if len(workers) != 2:
            raise RuntimeError(f"expected 2 uvicorn workers, found {workers}")
        customers = [f"cus_soak_{n}" for n in range(CUSTOMERS)]
        tokens = tmp_path / "tokens.txt"
        settings = make_settings(url)
        ttl = timedelta(seconds=seconds + 3600)
        now = datetime.now(UTC)
        await asyncio.to_thread(
            tokens.write_text,
            "".join(f"{c} {issue_token(settings, c, now=now, ttl=ttl)}\n" for c in customers),
        )

        async def mix(name: str, duration: float, connections: int, **pacing: Any) -> Traffic:
            return await run_mix(
                server.base_url,
                tokens=tokens,
                workdir=tmp_path / name,
                seconds=duration,
                connections=connections,
                **pacing,
            )

        runs = [await mix("warmup", 5, CALIBRATION[0])]
        if rate is None:
            rates = []
            for n, connections in enumerate(CALIBRATION):
                run = await _calibrate(result, mix, f"max{n}-c{connections}", connections, workers)
                rates.append(run.rate(skip=2))
                runs.append(run)
            best = statistics.median(rates)
            target = LOAD * best
            result.say(
                f"{seconds:.0f} s at {target:,.0f} req/s ({LOAD:.0%} of {best:,.0f}, the median "
                "of the closed-loop runs)"
            )
        else:
            target = rate
            result.say(f"{seconds:.0f} s at {target:,.0f} req/s (given, not calibrated)")

        rss: dict[int, list[tuple[float, int]]] = {pid: [] for pid in workers}
        paced = await mix(
            "soak",
            seconds,
            CONNECTIONS,
            interval_us=int(CONNECTIONS * 1e6 / target),
            while_running=lambda: _sample_rss(server, rss),
        )
        runs.append(paced)
        acknowledged = [ack for run in runs for ack in run.acknowledged]

        async with asyncpg.create_pool(url, min_size=1, max_size=1) as pool:
            if before_readback is not None:
                await before_readback(pool, acknowledged)
            stored = [
                (str(row["id"]), row["key"])
                for row in await pool.fetch(
                    "SELECT id, metadata->>'soak_key' AS key FROM orders "
                    "WHERE customer_id = ANY($1::text[])",
                    customers,
                )
            ]

    _judge(result, runs, paced, target, rss, acknowledged, stored)
    return result


async def _calibrate(
    result: Soak,
    mix: Callable[..., Awaitable[Traffic]],
    name: str,
    connections: int,
    workers: list[int],
) -> Traffic:
    cpu, pg, (busy, total) = sum(map(cpu_seconds, workers)), postgres_cpu_seconds(), machine_ticks()
    run = await mix(name, 12, connections)
    busy2, total2 = machine_ticks()
    server_cores = (sum(map(cpu_seconds, workers)) - cpu) / run.seconds
    pg_cores = (postgres_cpu_seconds() - pg) / run.seconds
    result.say(
        f"closed loop, {connections} connections: {run.rate(skip=2):,.0f} req/s; CPU cores used: "
        f"server workers {server_cores:.2f}, wrk {run.wrk_cpu_seconds / run.seconds:.2f}, "
        f"postgres (whole cluster) {pg_cores:.2f}; machine {(busy2 - busy) / (total2 - total):.0%} "
        f"busy ({os.cpu_count()} cores)"
    )
    return run


async def _sample_rss(server: Server, rss: dict[int, list[tuple[float, int]]]) -> None:
    while True:
        for pid in worker_pids(server.process.pid):
            kib = rss_kib(pid)
            if kib is not None:
                rss.setdefault(pid, []).append((time.monotonic(), kib))
        await asyncio.sleep(RSS_EVERY)


def _judge(
    result: Soak,
    runs: list[Traffic],
    paced: Traffic,
    target: float,
    rss: dict[int, list[tuple[float, int]]],
    acknowledged: list[tuple[str, str]],
    stored: list[tuple[str, str]],
) -> None:
    """The verdicts and the figures. Calibration's traffic is judged on errors and orders too."""
    seconds, say = result.seconds, result.say
    for run in runs:
        result.problems += [
            f"{run.name}: {problem}"
            for problem in checks.check_responses(run.statuses, run.wrk_errors)
        ]
    result.problems += checks.check_throughput(target, paced.rate())
    minute = min(60.0, seconds / 2)
    first = checks.window_p99s(paced.samples(), start=0, end=minute)
    last = checks.window_p99s(paced.samples(), start=seconds - minute, end=seconds)
    latency = checks.check_latency(first, last)
    result.problems += latency.problems
    warmup = min(60.0, seconds / 3)
    series = {pid: [(at - paced.origin, kib) for at, kib in points] for pid, points in rss.items()}
    memories, rss_problems = checks.check_rss(series, warmup=warmup, end=seconds)
    result.problems += rss_problems
    replays = [replay for run in runs for replay in run.replays]
    result.problems += checks.check_orders(acknowledged, replays, stored)

    by_status: dict[int, int] = {}
    for (_, status), n in paced.statuses.items():
        by_status[status] = by_status.get(status, 0) + n
    total = sum(run.answered for run in runs)
    say(f"requests answered: {paced.answered:,} ({total:,} with calibration)")
    say("by status: " + ", ".join(f"{s}: {n:,}" for s, n in sorted(by_status.items())))
    say("by kind: " + ", ".join(f"{k} {s}: {n:,}" for (k, s), n in sorted(paced.statuses.items())))
    errors = {k: sum(run.wrk_errors.get(k, 0) for run in runs) for k in checks.SOCKET_ERRORS}
    say(f"socket errors (all runs): {errors}")
    say(f"req/s: target {target:,.0f}, achieved {paced.rate():,.0f}")
    say(
        f"p99 from when each request was due (median of 10 s windows): first minute "
        f"{latency.first:.1f} ms, last minute {latency.last:.1f} ms; windows "
        f"{[round(p, 1) for p in first]} / {[round(p, 1) for p in last]}"
    )
    due = checks.minute_p99s(paced.samples(), seconds)
    sent = checks.minute_p99s(zip(paced.due, paced.service, strict=True), seconds)
    say(
        "p99 per minute, from due / from sent (ms): "
        + ", ".join(f"{a:.0f}/{b:.0f}" for a, b in zip(due, sent, strict=True))
    )
    say(
        f"p99 of the whole run: {checks.percentile(paced.latency, 99):.1f} ms from due, "
        f"{checks.percentile(paced.service, 99):.1f} ms from sent"
    )
    for memory in memories:
        say(
            f"worker {memory.pid} RSS: {memory.start_kib / 1024:.1f} MiB after {warmup:.0f} s "
            f"warm-up -> {memory.end_kib / 1024:.1f} MiB at the end"
        )
    say(
        f"orders checked: {len({key for key, _ in acknowledged}):,} acknowledged with 201, "
        f"{len(replays):,} replays, {len(stored):,} stored"
    )
    for problem in result.problems:
        say(f"PROBLEM: {problem}")
