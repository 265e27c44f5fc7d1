"""PostgresDatabase.transaction's failure paths, on a stand-in pool: each answers as a unit
must (DatabaseUnavailable for a lost connection, the error itself otherwise), the connection
goes back to the pool and the count of taken connections is right again."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.kit.db import DatabaseUnavailable, PostgresDatabase
from tests.fixtures.service import make_settings


class FakeTransaction:
    def __init__(self, conn: FakeConnection) -> None:
        self.conn = conn

    async def __aenter__(self) -> None:
        self.conn.events.append("begin")
        if self.conn.fail_begin is not None:
            raise self.conn.fail_begin

    async def __aexit__(self, kind: Any, error: Any, trace: Any) -> None:
        self.conn.events.append("rollback" if kind else "commit")
        if self.conn.fail_commit is not None:
            raise self.conn.fail_commit


class FakeConnection:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.fail_begin: BaseException | None = None
        self.fail_commit: BaseException | None = None

    def transaction(self) -> FakeTransaction:
        return FakeTransaction(self)

    def terminate(self) -> None:
        self.events.append("terminate")


class FakeAcquire:
    def __init__(self, pool: FakePool) -> None:
        self.pool = pool

    async def __aenter__(self) -> FakeConnection:
        if self.pool.fail_acquire is not None:
            raise self.pool.fail_acquire
        return self.pool.conn

    async def __aexit__(self, *_: Any) -> None:
        self.pool.conn.events.append("release")


class FakePool:
    def __init__(self) -> None:
        self.conn = FakeConnection()
        self.fail_acquire: BaseException | None = None

    def acquire(self, *, timeout: float | None) -> FakeAcquire:
        return FakeAcquire(self)


async def unit(db: PostgresDatabase, *, write: bool, error: BaseException | None = None) -> None:
    """One unit of work whose block raises `error`, if any."""
    async with db.transaction(write=write):
        if error is not None:
            raise error


@pytest.fixture
def database() -> tuple[PostgresDatabase, FakePool]:
    db = PostgresDatabase("postgresql://unused", make_settings("postgresql://unused"))
    pool = FakePool()
    db._pool = pool
    return db, pool


async def test_a_read_takes_a_connection_without_begin_and_gives_it_back(database):
    db, pool = database
    async with db.transaction(write=False) as session:
        assert session is not None
        assert db._taken == 1
    assert pool.conn.events == ["release"]
    assert db._taken == 0


async def test_a_write_commits_and_an_error_in_the_block_rolls_back_and_propagates(database):
    db, pool = database
    async with db.transaction(write=True):
        pass
    with pytest.raises(KeyError):
        await unit(db, write=True, error=KeyError("the caller's own error"))
    assert pool.conn.events == ["begin", "commit", "release", "begin", "rollback", "release"]
    assert db._taken == 0


async def test_a_connection_the_server_ended_is_dropped_and_answers_503(database):
    db, pool = database
    with pytest.raises(DatabaseUnavailable):
        await unit(db, write=False, error=asyncpg.InternalClientError("farewell"))
    assert pool.conn.events == ["terminate", "release"]
    assert db._taken == 0


@pytest.mark.parametrize("where", ["acquire", "begin", "block", "commit"])
async def test_a_lost_connection_anywhere_answers_503(database, where):
    db, pool = database
    lost = ConnectionResetError("reset")
    if where == "acquire":
        pool.fail_acquire = lost
    elif where == "begin":
        pool.conn.fail_begin = lost
    elif where == "commit":
        pool.conn.fail_commit = lost
    with pytest.raises(DatabaseUnavailable):
        await unit(db, write=True, error=lost if where == "block" else None)
    assert pool.conn.events.count("release") == (0 if where == "acquire" else 1)
    assert db._taken == 0


async def test_a_failed_commit_that_is_not_a_lost_connection_is_the_answer(database):
    db, pool = database
    pool.conn.fail_commit = asyncpg.SerializationError("could not serialize")
    with pytest.raises(asyncpg.SerializationError):
        await unit(db, write=True)
    assert pool.conn.events == ["begin", "commit", "release"]
    assert db._taken == 0
