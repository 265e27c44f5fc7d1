"""Harbor and the floor on GET by id with the database replaced by a canned row: what the
Python of each costs per request without the query (least of 7 batches of 3,000).

var/bench/venv/bin/python -m bench.httpbench.python_only [--profile 25]

`--profile N` also prints cProfile's top N entries by own time for 5,000 of Harbor's requests
(shares, not µs: the profiler inflates every Python call).

The pin lookup answers as a warm pin cache would, and no request queries the database; the
apps' lifespans still open their pools, on the bench database (`make bench-http` creates it;
DATABASE_URL to point elsewhere).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import uvloop

os.environ.update(
    {
        "HARBOR_JWT_KEY": secrets.token_urlsafe(32),
        "HARBOR_CURSOR_KEY": secrets.token_urlsafe(32),
        "HARBOR_ENVIRONMENT": "test",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/harbor_bench"
        ),
        "HARBOR_ACCESS_LOG": "false",
        "HARBOR_RATE_LIMIT_PER_SECOND": "0",
        "HARBOR_IDEMPOTENCY_CLEANUP_INTERVAL_SECONDS": "0",
        "HARBOR_LOG_LEVEL": "error",
    }
)

from bench.httpbench.inprocess import Asgi, call, started
from service.auth.tokens import issue_token
from service.kit.settings import Settings

NOW = datetime.now(UTC)
ROW: dict[str, Any] = {
    "id": str(uuid.uuid4()), "customer_id": "cus_bench", "amount_cents": 100, "currency": "EUR",
    "status": "pending", "statement_descriptor": None, "metadata": {}, "payment_method": None,
    "created_at": NOW, "updated_at": NOW,
}  # fmt: skip


class _NoPool:
    """Stands in for asyncpg's pool: a connection that is never asked anything."""

    @contextlib.asynccontextmanager
    async def acquire(self, **_: object) -> AsyncIterator[object]:
        yield object()


def _harbor_without_database() -> None:
    from service.kit.db import PostgresDatabase
    from service.orders.repository import SqlOrdersRepository
    from service.versions.changes import served_versions
    from service.versions.pins import Pins

    newest = served_versions().newest

    def cached(_: Pins, customer: str) -> str:
        return newest

    async def get_public(_: SqlOrdersRepository, order_id: object, customer_id: str) -> Any:
        return ROW

    async def pool(_: PostgresDatabase) -> _NoPool:
        return _NoPool()

    Pins.cached = cached  # type: ignore[method-assign]
    SqlOrdersRepository.get_public = get_public  # type: ignore[method-assign]
    PostgresDatabase._get_pool = pool  # type: ignore[assignment,method-assign]


def _floor_without_database() -> None:
    from bench.apps import store

    async def get(_: store.OrderStore, order_id: object, caller: str) -> bytes:
        return store.render(ROW)

    store.OrderStore.get = get  # type: ignore[method-assign]


async def _measure(app: Asgi, token: str) -> float:
    headers = [(b"authorization", f"Bearer {token}".encode())]
    path = f"/v1/orders/{ROW['id']}"
    for _ in range(300):
        status = await call(app, "GET", path, headers, b"")
        if status != 200:
            raise SystemExit(f"python_only: GET answered {status}")
    best = float("inf")
    for _ in range(7):
        began = time.process_time()
        for _ in range(3000):
            await call(app, "GET", path, headers, b"")
        best = min(best, (time.process_time() - began) / 3000 * 1e6)
    return best


async def _profile(app: Asgi, token: str, top: int) -> None:
    headers = [(b"authorization", f"Bearer {token}".encode())]
    path = f"/v1/orders/{ROW['id']}"
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5000):
        await call(app, "GET", path, headers, b"")
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


async def main(profile: int) -> None:
    token = issue_token(Settings(), "cus_bench", now=NOW, ttl=timedelta(hours=1))
    _harbor_without_database()
    _floor_without_database()
    async with started("service.app:create_app_from_env") as harbor:
        h = await _measure(harbor, token)
        if profile:
            await _profile(harbor, token, profile)
    async with started("bench.apps.starlette_floor:create_app") as floor:
        f = await _measure(floor, token)
    print(
        f"GET by id without a database, least of 7 batches: Harbor {h:.1f} µs, "
        f"floor {f:.1f} µs of CPU per request (floor / Harbor {f / h:.2f})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    uvloop.run(main(parser.parse_args().profile))
