"""Storage: migrations both ways on both databases, schema equals metadata, the keyset index."""

from __future__ import annotations

import asyncio

import pytest_asyncio
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service.db import migrate
from service.db.schema import metadata
from service.kit.db import Sql, open_database
from service.kit.urls import DatabaseUrl, Dialect
from tests.fixtures.service import make_settings

TABLES = {"orders", "idempotency_keys", "outbox_events"}


async def tables(database) -> set[str]:
    query = Sql(
        pg="SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
        sqlite="SELECT name FROM sqlite_master WHERE type = 'table'",
    )
    async with database.transaction(write=False) as session:
        return {row["name"] for row in await session.fetch_all(query)} & TABLES


@pytest_asyncio.fixture
async def scratch(scratch_database_url):
    url = DatabaseUrl.parse(scratch_database_url)
    database = open_database(make_settings(scratch_database_url))
    await database.start()
    yield url, database
    await database.stop()


async def test_migrations_go_down_and_up_again(scratch):
    url, database = scratch
    assert await tables(database) == TABLES

    assert await asyncio.to_thread(migrate.run, url, "downgrade", "base") is None
    assert await tables(database) == set()
    assert await asyncio.to_thread(migrate.run, url, "upgrade", "head") == migrate.head()
    assert await tables(database) == TABLES
    # Upgrading a database at head changes nothing.
    assert await asyncio.to_thread(migrate.run, url, "upgrade", "head") == migrate.head()


def test_the_migrated_sqlite_schema_matches_the_metadata(database_url):
    url = DatabaseUrl.parse(database_url)
    if url.dialect is not Dialect.SQLITE:
        return  # PostgreSQL has no synchronous driver here to compare with; see migrate.py
    engine = sa.create_engine(f"sqlite:///{url.target}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == []


async def test_the_list_query_uses_the_keyset_index(database, database_url):
    from service.orders.repository import _NEXT_PAGE

    url = DatabaseUrl.parse(database_url)
    explain = "EXPLAIN QUERY PLAN " if url.dialect is Dialect.SQLITE else "EXPLAIN "
    sql = Sql(pg=explain + _NEXT_PAGE.pg, sqlite=explain + _NEXT_PAGE.sqlite)
    from datetime import UTC, datetime
    from uuid import uuid4

    async with database.transaction(write=False) as session:
        rows = await session.fetch_all(sql, "cus_1", datetime.now(UTC), uuid4(), 20)
    plan = " ".join(str(tuple(row)) for row in rows)
    assert "ix_orders_customer_created" in plan
    assert "TEMP B-TREE" not in plan.upper()  # no sort step: the index gives the order
