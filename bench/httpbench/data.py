"""The bench database: 1,000,000 orders (bench_deep_pages' `harbor_bench`, loaded once), tokens,
and a clean slate for the orders the POST runs create."""

from __future__ import annotations

import argparse
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bench.bench_deep_pages import CUSTOMER, prepare
from service.auth.tokens import issue_token
from service.kit.settings import Settings

WRITER = "cus_bench_writer"  # POSTs go here, so CUSTOMER's million orders stay as loaded
ORDER_BODY = (
    f'{{"customer_id": "{WRITER}", "amount_cents": 2599, "currency": "EUR", '
    '"statement_descriptor": "Annual subscription", "metadata": {"invoice": "INV-2026-0042"}, '
    '"payment_method": {"type": "card", "token": "tok_4242abcd"}}'
)


@dataclass(frozen=True, slots=True)
class Fixture:
    database_url: str
    env: dict[str, str]  # what every server is started with
    reader_token: str  # CUSTOMER's
    writer_token: str  # WRITER's
    ids_file: Path  # order ids of CUSTOMER, one a line


def database_argument(parser: argparse.ArgumentParser) -> None:
    """--database-url: the PostgreSQL server; the bench database is created beside `test`."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test",
    )


async def set_up(server_url: str, rows: int, workdir: Path, base_env: dict[str, str]) -> Fixture:
    url = await prepare(server_url, rows)
    conn = await asyncpg.connect(url)
    try:
        # What earlier runs' POSTs left behind; the bench database holds nothing else of value.
        await conn.execute("DELETE FROM orders WHERE customer_id = $1", WRITER)
        await conn.execute("TRUNCATE idempotency_keys, outbox_events")
        # No vacuum woken by the POST runs' inserts in the middle of the next server's run.
        for table in ("orders", "idempotency_keys", "outbox_events"):
            await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        await conn.execute("VACUUM ANALYZE orders")
        ids = await conn.fetch(
            "SELECT id FROM orders TABLESAMPLE SYSTEM (2) WHERE customer_id = $1 LIMIT 20000",
            CUSTOMER,
        )
    finally:
        await conn.close()
    ids_file = workdir / "order-ids.txt"
    ids_file.write_text("".join(f"{row['id']}\n" for row in ids))
    keys = {
        "HARBOR_JWT_KEY": secrets.token_urlsafe(32),
        "HARBOR_CURSOR_KEY": secrets.token_urlsafe(32),
    }
    env = {
        **base_env,
        **keys,
        "DATABASE_URL": url,
        "HARBOR_ENVIRONMENT": "test",
        "HARBOR_ACCESS_LOG": "false",
        "HARBOR_LOG_LEVEL": "warning",
        "HARBOR_IDEMPOTENCY_CLEANUP_INTERVAL_SECONDS": "0",
        # The load generators send far more than one customer's limit, on purpose.
        "HARBOR_RATE_LIMIT_PER_SECOND": "0",
    }
    settings = Settings(database_url=url, jwt_key=keys["HARBOR_JWT_KEY"])
    now = datetime.now(UTC)

    def token(customer: str) -> str:
        return issue_token(settings, customer, now=now, ttl=timedelta(hours=2))

    return Fixture(url, env, token(CUSTOMER), token(WRITER), ids_file)


async def settle(database_url: str) -> None:
    """Flush what the last server wrote, so that the next one does not pay for it."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
