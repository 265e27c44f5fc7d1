"""What the shared rate limit costs: per-customer buckets in memory against the same limit in
PostgreSQL (HARBOR_RATE_LIMIT_STORE=database), on the bench database.

In process, GET by id with the limit on but never reached: the app's CPU per request (least of
interleaved batches; the database server's own CPU is not in it) and the wall time per request
at 10 in flight. Then the limiter alone: one take, sequentially.

.venv/bin/python -m bench.bench_ratelimit [--requests 3000] [--batches 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import uvloop

from bench.httpbench.data import database_argument, set_up
from bench.httpbench.inprocess import drive, requests_for, started
from service.kit.db import open_database
from service.kit.ratelimit import Rate, TokenBuckets
from service.kit.settings import Settings
from service.kit.shared_ratelimit import SharedTokenBuckets

STORES = ("memory", "database")
# A limit no run reaches: what is measured is the cost of keeping it, not of refusing.
UNREACHED = {"HARBOR_RATE_LIMIT_PER_SECOND": "1000000000", "HARBOR_RATE_LIMIT_BURST": "1000000000"}


async def _cost(store: str, make: object, count: int) -> tuple[float, float]:
    os.environ["HARBOR_RATE_LIMIT_STORE"] = store
    async with started("service.app:create_app_from_env") as app:
        await drive(app, make, min(count, 300), 10)  # warm up
        cpu, wall = time.process_time(), time.perf_counter()
        await drive(app, make, count, 10)
        return (
            (time.process_time() - cpu) / count * 1e6,
            (time.perf_counter() - wall) / count * 1e6,
        )


async def _limiter_alone(database_url: str, takes: int) -> dict[str, float]:
    rate = Rate(1e9, 1_000_000_000)
    memory = TokenBuckets(rate)
    database = open_database(Settings(database_url=database_url))
    await database.start()
    try:
        shared = SharedTokenBuckets(database, rate)
        for _ in range(200):  # warm up
            await shared.take("cus_bench_limiter")
        began = time.perf_counter()
        for _ in range(takes):
            await shared.take("cus_bench_limiter")
        shared_us = (time.perf_counter() - began) / takes * 1e6
    finally:
        await database.stop()
    began = time.perf_counter()
    for _ in range(takes * 100):
        memory.take("cus_bench_limiter")
    return {"memory": (time.perf_counter() - began) / (takes * 100) * 1e6, "database": shared_us}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="harbor-ratelimit-") as tmp:
        fixture = asyncio.run(set_up(args.database_url, 1_000_000, Path(tmp), dict(os.environ)))
        os.environ.update({**fixture.env, **UNREACHED})
        make = requests_for("get", fixture)
        cpu = {store: float("inf") for store in STORES}
        wall = {store: float("inf") for store in STORES}
        for _ in range(args.batches):
            for store in STORES:
                batch_cpu, batch_wall = uvloop.run(_cost(store, make, args.requests))
                cpu[store], wall[store] = min(cpu[store], batch_cpu), min(wall[store], batch_wall)
        alone = uvloop.run(_limiter_alone(fixture.database_url, 2000))
    print("GET /v1/orders/{id}, limit on but never reached, least of each store's batches:")
    print("| store | app CPU per request | wall per request, 10 in flight | one take alone |")
    print("| --- | --- | --- | --- |")
    for store in STORES:
        print(
            f"| {store} | {cpu[store]:.0f} µs ({cpu[store] / cpu['memory'] - 1:+.1%}) "
            f"| {wall[store]:.0f} µs ({wall[store] / wall['memory'] - 1:+.1%}) "
            f"| {alone[store]:.2f} µs |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
