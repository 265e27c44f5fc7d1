"""Webhook worker throughput on PostgreSQL: events delivered per second to a local receiver.

Run with `TEST_DATABASE_URL=postgresql://... make bench-webhooks` (or, from the repository's
root, `.venv/bin/python -m bench.bench_webhooks [--events N] [--workers 1,3]`). For each worker
count it queues N `order.created` events in the outbox of a fresh database (one subscribed endpoint), starts that
many `python -m service.webhooks` processes and times the receiver (uvicorn on 127.0.0.1, in
this process) getting every delivery: fan-out, claim, sign, POST and settle included. The rate
is counted from the first delivery to the last, so process start-up is left out. Writes
bench/results/webhooks.md and prints the same table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from generated import models
from service.kit.clock import Uuid7Generator
from service.webhooks.signing import new_secret
from tests.fixtures.databases import TEST_DATABASE_URL, fresh_database
from tests.webhooks.receiver import running_receiver

ROOT = Path(__file__).resolve().parents[1]

CUSTOMER = "cus_bench_webhooks"
RESULTS = ROOT / "bench" / "results" / "webhooks.md"


async def queue_events(url: str, hook_url: str, events: int) -> None:
    """One endpoint of CUSTOMER subscribed to order.created, and `events` pending outbox events."""
    ids = Uuid7Generator()
    now = datetime.now(UTC)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO webhook_endpoints (id, customer_id, url, event_types, description, "
            "secret, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)",
            ids.new_id(),
            CUSTOMER,
            hook_url,
            '["order.created"]',
            new_secret(),
            now,
        )
        rows = []
        for _ in range(events):
            order_id = ids.new_id()
            order = models.Order(
                id=order_id,
                customer_id=CUSTOMER,
                amount_cents=2599,
                currency="EUR",
                status=models.OrderStatus.PENDING,
                description="Annual subscription",
                metadata=models.Metadata({"invoice": "INV-1"}),
                payment_method=None,
                created_at=now,
                updated_at=now,
            )
            rows.append((ids.new_id(), "order.created", order_id, order.model_dump_json(), now))
        await conn.executemany(
            "INSERT INTO outbox_events (id, event_type, aggregate_id, payload, status, attempts, "
            "created_at, available_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            rows,
        )
    finally:
        await conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(events: int, workers: int, logs: Path) -> tuple[float, float, float]:
    """Deliveries per second from the first to the last, seconds from start to the last, and
    the workers' CPU milliseconds per delivery (the figure a busy machine disturbs least)."""
    path = "bench/ok"
    processes: list[asyncio.subprocess.Process] = []
    async with fresh_database("postgres", logs) as url, running_receiver() as receiver:
        try:
            await queue_events(url, receiver.url(path), events)
            env = {
                **os.environ,
                "HARBOR_DATABASE_URL": url,
                "HARBOR_ENVIRONMENT": "test",
                "HARBOR_LOG_LEVEL": "warning",
                "HARBOR_WEBHOOKS_POLL_INTERVAL_SECONDS": "0.05",
            }
            started = time.monotonic()
            for index in range(workers):
                with (logs / f"worker-{workers}-{index}.log").open("wb") as sink:
                    processes.append(
                        await asyncio.create_subprocess_exec(
                            sys.executable,
                            "-m",
                            "service.webhooks",
                            cwd=ROOT,
                            env=env,
                            stdout=sink,
                            stderr=asyncio.subprocess.STDOUT,
                        )
                    )
            arrived = await receiver.wait_for(path, events, within=600)
            first, last = arrived[0].at, max(r.at for r in arrived)
            assert len(receiver.by_webhook_id(path)) == events
            cpu_ms = sum(cpu_seconds(p.pid) for p in processes) * 1000 / events
            rate = (events - 1) / (last - first) if last > first else float("inf")
            return rate, last - started, cpu_ms
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                await process.wait()


async def main_async(events: int, counts: list[int]) -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="harbor-bench-webhooks-") as tmp:
        for workers in counts:
            rate, total, cpu_ms = await run(events, workers, Path(tmp))
            rows.append(
                f"| {workers} | {events} | {rate:,.0f} events/s | {total:.1f} s | {cpu_ms:.2f} ms |"
            )
            print(rows[-1], flush=True)
    table = "\n".join(
        [
            "# Webhook worker throughput",
            "",
            f"`make bench-webhooks` on {platform.node()} ({os.cpu_count()} CPUs), PostgreSQL, "
            "default worker settings (16 attempts in flight per worker), receiver on 127.0.0.1 "
            "answering 204 from this same process. Load average at the start: "
            f"{os.getloadavg()[0]:.1f}.",
            "",
            "| workers | events | delivered, first to last | wall time (start-up included) "
            "| worker CPU per delivery |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workers", default="1,3", help="comma-separated worker counts")
    args = parser.parse_args()
    if not TEST_DATABASE_URL:
        sys.stderr.write("bench_webhooks: set TEST_DATABASE_URL to a PostgreSQL server\n")
        raise SystemExit(2)
    counts = [int(n) for n in args.workers.split(",")]
    asyncio.run(main_async(args.events, counts))


if __name__ == "__main__":
    main()
