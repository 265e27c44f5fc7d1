"""A PostgreSQL that does not answer: requests get a prompt 503, not a queue of connect timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest

from service.app import create_app
from service.kit.db import Database, DatabaseUnavailable, Sql, open_database
from tests.fixtures.service import make_settings, serve, token

CONNECT_TIMEOUT = 0.5


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never says a word (a hung or blackholed host)."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_requests_waiting_for_the_pool_share_one_failed_attempt():
    async with silent_server() as port:
        url = f"postgresql://postgres@127.0.0.1:{port}/harbor"
        settings = make_settings(url, db_connect_timeout_seconds=CONNECT_TIMEOUT)
        headers = {"Authorization": f"Bearer {token(settings, 'cus_1')}"}
        async with serve(create_app(settings)) as client:
            started = time.monotonic()
            responses = await asyncio.gather(
                *(client.get("/v1/customers/cus_1/orders", headers=headers) for _ in range(8))
            )
            elapsed = time.monotonic() - started

    assert [r.status_code for r in responses] == [503] * 8
    assert all(r.headers["retry-after"] for r in responses)
    # One connect timeout (the attempt they all waited on), perhaps two; not eight in a row.
    assert elapsed < 3 * CONNECT_TIMEOUT + 0.5, elapsed


async def another_transaction(database: Database) -> None:
    async with database.transaction(write=False):
        pass


async def test_a_transaction_waits_for_a_busy_pool_at_most_the_connect_timeout(pg_database_url):
    settings = make_settings(
        pg_database_url, db_pool_min=1, db_pool_max=1, db_connect_timeout_seconds=CONNECT_TIMEOUT
    )
    database = open_database(settings)
    await database.start()
    try:
        for _ in range(2):  # the count of connections taken is right again after a failed wait
            async with database.transaction(write=False):
                started = time.monotonic()
                with pytest.raises(DatabaseUnavailable):
                    await asyncio.wait_for(another_transaction(database), 10 * CONNECT_TIMEOUT)
                assert time.monotonic() - started < 3 * CONNECT_TIMEOUT
        async with database.transaction(write=False) as session:
            assert (await session.fetch_one(Sql.portable("SELECT 1 AS one")))["one"] == 1
    finally:
        await database.stop()
