"""Deep-page latency of the order list on PostgreSQL: page 1 against a page 50,000 rows deep."""

# .venv/bin/python bench/bench_deep_pages.py [--database-url postgresql://...] [--rows N]
#
# One customer with 1,000,000 orders (and a neighbour with 100,000), in the database
# `harbor_bench` on the server of --database-url (default: $TEST_DATABASE_URL, else
# postgresql://postgres@127.0.0.1:5432/test), created and loaded once, reused afterwards.
# It serves that database with `python -m service` (one worker) and times sequential requests
# over HTTP; for contrast it times the same page as LIMIT/OFFSET straight in SQL. Keyset
# pagination should stay flat with depth; OFFSET does not.

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.auth.tokens import issue_token  # noqa: E402
from service.db import migrate  # noqa: E402
from service.kit.pagination import CursorCodec, Keyset  # noqa: E402
from service.kit.settings import Settings  # noqa: E402
from service.kit.urls import DatabaseUrl  # noqa: E402
from tests.fixtures.server import running_server  # noqa: E402

CUSTOMER = "cus_bench"
BATCH = 50_000
COLUMNS = [
    "id",
    "customer_id",
    "amount_cents",
    "currency",
    "status",
    "description",
    "metadata",
    "payment_method",
    "risk_score",
    "created_at",
    "updated_at",
]


def on_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def prepare(server_url: str, rows: int) -> str:
    """The bench database with `rows` orders of CUSTOMER (and a few others), loaded once."""
    url = on_database(server_url, "harbor_bench")
    admin = await asyncpg.connect(server_url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = 'harbor_bench'"):
            await admin.execute("CREATE DATABASE harbor_bench")
    finally:
        await admin.close()
    await asyncio.to_thread(migrate.run, DatabaseUrl.parse(url))
    conn = await asyncpg.connect(url)
    try:
        have = await conn.fetchval("SELECT count(*) FROM orders WHERE customer_id = $1", CUSTOMER)
        if have != rows:
            print(
                f"loading {rows:,} orders for {CUSTOMER} (once; reused afterwards) ...", flush=True
            )
            await conn.execute("TRUNCATE orders")
            began = time.perf_counter()
            await load(conn, CUSTOMER, rows)
            await load(conn, "cus_neighbour", rows // 10)
            await conn.execute("ANALYZE orders")
            print(f"loaded in {time.perf_counter() - began:.1f} s", flush=True)
    finally:
        await conn.close()
    return url


async def load(conn: asyncpg.Connection, customer: str, rows: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for offset in range(0, rows, BATCH):
        records = [
            (
                uuid.uuid4(),
                customer,
                100 + i % 10_000,
                "EUR",
                "pending",
                None,
                "{}",
                '{"type": "card", "token": "tok_4242abcd"}',
                0,
                start + timedelta(seconds=i),
                start + timedelta(seconds=i),
            )
            for i in range(offset, min(offset + BATCH, rows))
        ]
        await conn.copy_records_to_table("orders", records=records, columns=COLUMNS)


async def deep_keyset(url: str, depth: int) -> Keyset:
    """The keyset of the last row before the page that starts `depth` rows down."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT created_at, id FROM orders WHERE customer_id = $1 "
            "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1",
            CUSTOMER,
            depth - 1,
        )
    finally:
        await conn.close()
    return Keyset(row["created_at"], row["id"])


async def timed(call: Callable[[], Awaitable[object]], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.3f} ms   p99 {p99:7.3f} ms"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_url = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    parser.add_argument("--database-url", default=default_url)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--depth", type=int, default=50_000)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    url = await prepare(args.database_url, args.rows)
    settings = Settings(database_url=url)
    headers = {
        "Authorization": "Bearer "
        + issue_token(settings, CUSTOMER, now=datetime.now(UTC), ttl=timedelta(hours=1))
    }
    codec = CursorCodec(settings.cursor_key.get_secret_value().encode())
    cursor = codec.encode(await deep_keyset(url, args.depth), scope=CUSTOMER)
    path = f"/v1/customers/{CUSTOMER}/orders"

    with tempfile.TemporaryDirectory() as tmp:
        async with (
            running_server(url, Path(tmp), access_log="false") as server,
            httpx.AsyncClient(base_url=server.base_url) as client,
        ):

            async def page(params: dict[str, object]) -> None:
                response = await client.get(path, params=params, headers=headers)
                assert response.status_code == 200, response.text
                assert len(response.json()["data"]) == args.limit

            first = {"limit": args.limit}
            deep = {"limit": args.limit, "cursor": cursor}
            await timed(lambda: page(first), 100)  # warm up connections and plans
            await timed(lambda: page(deep), 100)
            http_first: list[float] = []
            http_deep: list[float] = []
            for _ in range(args.requests // 100):  # interleaved, so drift hits both alike
                http_first += await timed(lambda: page(first), 100)
                http_deep += await timed(lambda: page(deep), 100)

    conn = await asyncpg.connect(url)
    try:
        offset_sql = (
            "SELECT * FROM orders WHERE customer_id = $1 "
            "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT $3"
        )
        sql_first = await timed(lambda: conn.fetch(offset_sql, CUSTOMER, 0, args.limit), 200)
        sql_deep = await timed(lambda: conn.fetch(offset_sql, CUSTOMER, args.depth, args.limit), 50)
    finally:
        await conn.close()

    print(
        f"\n{args.rows:,} orders of one customer; pages of {args.limit}; {args.requests} requests each"
    )
    print(f"keyset over HTTP, page 1:              {summary(http_first)}")
    print(f"keyset over HTTP, {args.depth:,} rows deep:   {summary(http_deep)}")
    print(
        f"ratio deep/page 1 (median):            {statistics.median(http_deep) / statistics.median(http_first):.2f}x"
    )
    print(f"for contrast, OFFSET in SQL, page 1:   {summary(sql_first)}")
    print(f"for contrast, OFFSET in SQL, deep:     {summary(sql_deep)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
