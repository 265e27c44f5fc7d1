"""Connections to the two databases (asyncpg for PostgreSQL, aiosqlite for SQLite) as Sessions."""

# Repositories talk to the drivers directly (no ORM on the hot path: an async ORM round trip
# costs several times the CPU of asyncpg). A request's unit of work is one transaction(write=...).

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from uuid import UUID

import aiosqlite
import asyncpg
import structlog

from service.kit.clock import from_micros, to_micros
from service.kit.problems import ServiceUnavailable
from service.kit.settings import Settings
from service.kit.urls import Dialect

T_co = TypeVar("T_co", covariant=True)
_PG_PARAM = re.compile(r"\$(\d+)")

log = structlog.get_logger(__name__)


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached (or stays locked); the client should retry."""

    default_detail = "The database is unreachable."


class Row(Protocol):
    """A result row, by column name or as its values in select order: asyncpg's Record and
    sqlite3.Row both are."""

    def __getitem__(self, key: str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


@dataclass(frozen=True, slots=True)
class Sql:
    """One statement in both dialects, side by side, with the parameters in the same order."""

    pg: str
    sqlite: str

    @classmethod
    def portable(cls, pg: str) -> Sql:
        """A statement both dialects spell alike; SQLite numbers its parameters `?N`."""
        return cls(pg, _PG_PARAM.sub(r"?\1", pg))


class Session(Protocol):
    """One connection inside one unit of work, in the vocabulary repositories need.

    The asyncpg and the aiosqlite implementation differ in how ids and times travel: PostgreSQL
    has uuid and timestamptz; SQLite stores canonical UUID text and integer microseconds.
    """

    @property
    def dialect(self) -> Dialect:
        """For the rare statement that only one dialect can say in one go (see its caller)."""

    async def fetch_one(self, sql: Sql, *args: object) -> Row | None: ...

    async def fetch_all(self, sql: Sql, *args: object) -> list[Row]: ...

    async def execute(self, sql: Sql, *args: object) -> int:
        """Run a statement; the number of rows it changed."""

    def to_uuid(self, value: Any) -> UUID: ...

    def to_datetime(self, value: Any) -> datetime: ...


class Database(Protocol):
    """A connection source; `transaction` is one unit of work on one connection."""

    @property
    def dialect(self) -> Dialect: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database answers."""

    def transaction(
        self, *, write: bool, single_statement: bool = False
    ) -> AbstractAsyncContextManager[Session]:
        """One unit of work. `single_statement`: each write of the unit is one statement that is
        atomic on its own, and nothing it reads must see its own writes in one snapshot; then
        PostgreSQL runs it without BEGIN and COMMIT (two round trips fewer). SQLite ignores it:
        a writer always takes the one write lock."""


class Transactional(Protocol[T_co]):
    """Opens one unit of work and hands out what a service needs inside it."""

    def __call__(
        self, *, write: bool, single_statement: bool = False
    ) -> AbstractAsyncContextManager[T_co]: ...


class PgSession:
    """asyncpg: parameters and results travel as Python values already."""

    __slots__ = ("_conn",)
    dialect = Dialect.POSTGRESQL

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch_one(self, sql: Sql, *args: object) -> Row | None:
        row: Row | None = await self._conn.fetchrow(sql.pg, *args)
        return row

    async def fetch_all(self, sql: Sql, *args: object) -> list[Row]:
        rows: list[Row] = await self._conn.fetch(sql.pg, *args)
        return rows

    async def execute(self, sql: Sql, *args: object) -> int:
        status: str = await self._conn.execute(sql.pg, *args)
        # asyncpg returns the command tag, e.g. "DELETE 3" or "INSERT 0 1".
        tail = status.rpartition(" ")[2]
        return int(tail) if tail.isdigit() else 0

    def to_uuid(self, value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(str(value))

    def to_datetime(self, value: Any) -> datetime:
        assert isinstance(value, datetime)
        return value


def _sqlite_param(value: object) -> object:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return to_micros(value)
    return value


class SqliteSession:
    """aiosqlite: one thread hop per statement, so each method makes exactly one call."""

    __slots__ = ("_conn",)
    dialect = Dialect.SQLITE

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch_one(self, sql: Sql, *args: object) -> Row | None:
        rows = await self.fetch_all(sql, *args)
        return rows[0] if rows else None

    async def fetch_all(self, sql: Sql, *args: object) -> list[Row]:
        params = [_sqlite_param(a) for a in args]
        return list(await self._conn.execute_fetchall(sql.sqlite, params))

    async def execute(self, sql: Sql, *args: object) -> int:
        params = [_sqlite_param(a) for a in args]
        cursor = await self._conn.execute(sql.sqlite, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    def to_uuid(self, value: Any) -> UUID:
        return UUID(value)

    def to_datetime(self, value: Any) -> datetime:
        return from_micros(int(value))


# Errors that mean "the database is not there right now", as opposed to a bug in a statement.
_PG_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, and TimeoutError (pool acquire and command timeouts)
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.ConnectionDoesNotExistError,
)
_SQLITE_UNAVAILABLE_CODES = frozenset({5, 6, 10, 14})  # BUSY, LOCKED, IOERR, CANTOPEN
_PING = Sql.portable("SELECT 1")


async def _nothing_to_reset(_: Any) -> None:
    """The pool's reset hook, replacing asyncpg's default RESET ALL / UNLISTEN / CLOSE ALL /
    pg_advisory_unlock_all round trip on every release.

    The service never leaves session state behind: no SET, LISTEN, cursors, temporary tables
    or session-level advisory locks (idempotency uses transaction-level ones). asyncpg still
    rolls back a transaction left open before it calls this hook.
    """


class PostgresDatabase:
    """An asyncpg pool. Created lazily again if the database was down at start-up."""

    dialect = Dialect.POSTGRESQL

    def __init__(self, dsn: str, settings: Settings) -> None:
        self._dsn = dsn
        self._settings = settings
        self._pool: Any = None
        self._pool_lock = asyncio.Lock()
        self._pool_attempts = 0
        self._taken = 0  # transactions holding or waiting for a connection of the pool

    async def start(self) -> None:
        try:
            await self._get_pool()
        except DatabaseUnavailable:
            # Serve /health and a 503 from /ready instead of crash-looping; the pool is retried.
            log.warning("db.unavailable_at_start", dialect=self.dialect)

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _get_pool(self) -> Any:
        if self._pool is not None:
            return self._pool
        attempts = self._pool_attempts
        async with self._pool_lock:
            if self._pool is None:
                if self._pool_attempts != attempts:
                    # Another request tried while this one waited, and failed: share its answer
                    # rather than queue for another connect timeout each (a blackholed database
                    # would keep the n-th waiter n timeouts long).
                    raise DatabaseUnavailable()
                self._pool_attempts += 1
                s = self._settings
                try:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=s.db_pool_min,
                        max_size=s.db_pool_max,
                        timeout=s.db_connect_timeout_seconds,
                        command_timeout=s.db_statement_timeout_seconds,
                        # Timestamps rendered by the database (JSON projections) are then UTC.
                        server_settings={"application_name": "harbor", "TimeZone": "UTC"},
                        reset=_nothing_to_reset,
                    )
                except _PG_UNAVAILABLE as exc:
                    raise DatabaseUnavailable() from exc
        return self._pool

    async def ping(self) -> None:
        async with self.transaction(write=False) as session:
            await session.fetch_one(_PING)

    def transaction(
        self, *, write: bool, single_statement: bool = False
    ) -> AbstractAsyncContextManager[Session]:
        # A read unit issues one statement, which is atomic on its own; BEGIN and COMMIT would
        # only add two round trips to every GET. Likewise a unit whose writes are each one
        # self-contained statement.
        return _PgTransaction(self, begin=write and not single_statement)


class _PgTransaction:
    """One unit's connection (and transaction, when it writes more than one statement): a plain
    context manager rather than a generator-based one, as it runs on every request. The pool
    failures above and below the caller's block answer `DatabaseUnavailable`."""

    __slots__ = ("_acquired", "_begin", "_conn", "_database", "_transaction")

    def __init__(self, database: PostgresDatabase, *, begin: bool) -> None:
        self._database = database
        self._begin = begin
        self._acquired: Any = None
        self._transaction: Any = None
        self._conn: Any = None

    async def __aenter__(self) -> Session:
        database = self._database
        pool = await database._get_pool()
        # A bounded wait needs a timer (about 10 µs a request); only a request that may have to
        # wait for a connection, every one being taken, pays for one. The count is ours: asyncpg's
        # get_idle_size() walks every connection of the pool on each call.
        s = database._settings
        timeout = None if database._taken < s.db_pool_max else s.db_connect_timeout_seconds
        database._taken += 1
        try:
            acquired = pool.acquire(timeout=timeout)
            conn = await acquired.__aenter__()
        except BaseException as exc:
            database._taken -= 1
            if isinstance(exc, _PG_UNAVAILABLE):
                raise DatabaseUnavailable() from exc
            raise
        self._acquired, self._conn = acquired, conn
        if self._begin:
            transaction = conn.transaction()
            try:
                await transaction.__aenter__()
            except BaseException as exc:
                await self._release(exc)
                raise
            self._transaction = transaction
        return PgSession(conn)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: Any
    ) -> bool:
        if self._transaction is not None:
            try:
                await self._transaction.__aexit__(kind, error, trace)
            except BaseException as exc:  # the commit (or rollback) failed: that is the answer
                await self._release(exc)
                raise
        await self._release(error)
        return False

    async def _release(self, error: BaseException | None) -> None:
        """Give the connection back; re-raise `error` as the unit's answer (None: none)."""
        database = self._database
        try:
            try:
                if isinstance(error, asyncpg.InternalClientError):
                    # The server ended an idle pooled session (shutdown, crash, admin kill) and
                    # asyncpg is still consuming its farewell when the next query comes: the
                    # connection is unusable. Drop it (the pool opens another) and answer 503.
                    self._conn.terminate()
                    raise DatabaseUnavailable() from error
            finally:
                await self._acquired.__aexit__(None, None, None)
            if isinstance(error, _PG_UNAVAILABLE):
                raise DatabaseUnavailable() from error
        except _PG_UNAVAILABLE as exc:
            raise DatabaseUnavailable() from exc
        finally:
            database._taken -= 1


class SqliteDatabase:
    """One writer connection (SQLite has one writer anyway) and a few readers, opened lazily.

    Writers across processes are serialised by `BEGIN IMMEDIATE` and `busy_timeout`; WAL lets
    readers run beside the writer.
    """

    dialect = Dialect.SQLITE

    def __init__(self, path: Path, settings: Settings) -> None:
        self._path = path
        self._busy_timeout_ms = settings.sqlite_busy_timeout_ms
        self._write_lock = asyncio.Lock()
        self._writer: aiosqlite.Connection | None = None
        self._idle: list[aiosqlite.Connection] = []
        self._readers = asyncio.Semaphore(max(1, settings.db_pool_max))
        self._all: list[aiosqlite.Connection] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for conn in self._all:
            await conn.close()
        self._all.clear()
        self._idle.clear()
        self._writer = None

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self._path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            await conn.close()
            raise
        self._all.append(conn)
        return conn

    async def ping(self) -> None:
        async with self.transaction(write=False) as session:
            await session.fetch_one(_PING)

    @asynccontextmanager
    async def transaction(
        self, *, write: bool, single_statement: bool = False
    ) -> AsyncIterator[Session]:
        try:
            if write:
                async with self._write_lock:
                    if self._writer is None:
                        self._writer = await self._open()
                    async with _sqlite_transaction(self._writer):
                        yield SqliteSession(self._writer)
                return
            async with self._readers:
                conn = self._idle.pop() if self._idle else await self._open()
                try:
                    yield SqliteSession(conn)
                finally:
                    self._idle.append(conn)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF in _SQLITE_UNAVAILABLE_CODES:
                raise DatabaseUnavailable() from exc
            raise


@asynccontextmanager
async def _sqlite_transaction(conn: aiosqlite.Connection) -> AsyncIterator[None]:
    # IMMEDIATE takes the write lock up front, so two processes never both read a key as
    # absent and then both write it.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        await conn.rollback()
        raise
    await conn.commit()


def open_database(settings: Settings) -> PostgresDatabase | SqliteDatabase:
    """The database DATABASE_URL names."""
    url = settings.database
    if url.dialect is Dialect.POSTGRESQL:
        return PostgresDatabase(url.target, settings)
    return SqliteDatabase(url.sqlite_path, settings)
