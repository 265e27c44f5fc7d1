"""All SQL of the api_version_pins and api_usage tables, behind the PinRepository and
UsageRepository interfaces; both dialects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import orjson

from service.kit.clock import to_micros
from service.kit.db import Row, Session, Sql
from service.kit.urls import Dialect


@dataclass(frozen=True, slots=True)
class PinRecord:
    """A row of `api_version_pins`."""

    customer_id: str
    version: str
    pinned_at: datetime
    updated_at: datetime


class PinRepository(Protocol):
    async def get(self, customer_id: str) -> str | None:
        """The customer's pinned version, or None while it has none."""

    async def record(self, customer_id: str) -> PinRecord | None:
        """The customer's whole pin, or None while it has none."""

    async def pin_if_absent(self, customer_id: str, version: str, now: datetime) -> str:
        """Pin the customer to `version` unless it is pinned already; the version it is pinned
        to afterwards (an existing pin never moves). One round trip."""

    async def move(self, customer_id: str, version: str, now: datetime) -> PinRecord:
        """Pin the customer to `version`, pinning it now if it had no pin."""


_INSERT = (
    "INSERT INTO api_version_pins (customer_id, version, pinned_at, updated_at) "
    "VALUES ($1, $2, $3, $3) ON CONFLICT (customer_id) "
)
_GET = Sql.portable("SELECT version FROM api_version_pins WHERE customer_id = $1")
_RECORD = Sql.portable(
    "SELECT version, pinned_at, updated_at FROM api_version_pins WHERE customer_id = $1"
)
_PIN_IF_ABSENT = Sql(
    # The insert's RETURNING holds the new pin; the select sees a pin that was there before
    # the statement began. A pin committed by a concurrent insert after that is in neither
    # (the caller reads it then). DO NOTHING writes no row version when the pin exists.
    pg=(
        f"WITH inserted AS ({_INSERT}DO NOTHING RETURNING version) "
        "SELECT version FROM inserted "
        "UNION ALL SELECT version FROM api_version_pins WHERE customer_id = $1 LIMIT 1"
    ),
    # SQLite has no INSERT in a CTE; its one writer makes the no-op update as safe, and it
    # returns the stored row either way.
    sqlite=(Sql.portable(_INSERT).sqlite + "DO UPDATE SET version = version RETURNING version"),
)
_MOVE = Sql.portable(
    f"{_INSERT}DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at "
    "RETURNING version, pinned_at, updated_at"
)


class SqlPinRepository:
    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, customer_id: str) -> str | None:
        row = await self._session.fetch_one(_GET, customer_id)
        return None if row is None else str(row["version"])

    async def record(self, customer_id: str) -> PinRecord | None:
        row = await self._session.fetch_one(_RECORD, customer_id)
        return None if row is None else self._record(customer_id, row)

    async def pin_if_absent(self, customer_id: str, version: str, now: datetime) -> str:
        row = await self._session.fetch_one(_PIN_IF_ABSENT, customer_id, version, now)
        if row is not None:
            return str(row["version"])
        # Lost a race to a concurrent first pin that committed after the statement's snapshot:
        # a new statement sees it.
        stored = await self.get(customer_id)
        if stored is None:  # pragma: no cover - the conflicting row cannot vanish (no deletes)
            raise RuntimeError(f"the pin of customer {customer_id} vanished while pinning")
        return stored

    async def move(self, customer_id: str, version: str, now: datetime) -> PinRecord:
        row = await self._session.fetch_one(_MOVE, customer_id, version, now)
        assert row is not None  # an upsert's RETURNING always has its row
        return self._record(customer_id, row)

    def _record(self, customer_id: str, row: Row) -> PinRecord:
        return PinRecord(
            customer_id=customer_id,
            version=str(row["version"]),
            pinned_at=self._session.to_datetime(row["pinned_at"]),
            updated_at=self._session.to_datetime(row["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class UsageCount:
    """Calls of one deprecated operation by one customer in one version on one UTC day (a row
    of `api_usage`), or, from `UsageRepository.since`, summed over the days since a day, `day`
    then being the last of them with a call."""

    operation_id: str
    customer_id: str
    api_version: str
    day: date
    calls: int
    last_called_at: datetime


class UsageRepository(Protocol):
    async def add(self, counts: Sequence[UsageCount]) -> None:
        """Add `counts` to the stored calls, keeping the later last call: one statement for the
        whole batch."""

    async def since(self, day: date) -> list[UsageCount]:
        """The calls from `day` on, summed per operation, customer and version."""


_USAGE_COLUMNS = "operation_id, customer_id, api_version, day, calls, last_called_at"
_USAGE_CONFLICT = (
    "ON CONFLICT (operation_id, customer_id, api_version, day) DO UPDATE SET "
    "calls = api_usage.calls + excluded.calls, "
)
# The batch travels as one JSON parameter: one round trip however many rows, and the same
# parameter list in both dialects.
_ADD_USAGE = Sql(
    pg=(
        f"INSERT INTO api_usage ({_USAGE_COLUMNS}) SELECT {_USAGE_COLUMNS} "
        "FROM jsonb_to_recordset($1::jsonb) AS batch(operation_id text, customer_id text, "
        "api_version text, day date, calls bigint, last_called_at timestamptz) "
        f"{_USAGE_CONFLICT}"
        "last_called_at = GREATEST(api_usage.last_called_at, excluded.last_called_at)"
    ),
    # `WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.
    sqlite=(
        f"INSERT INTO api_usage ({_USAGE_COLUMNS}) SELECT "
        + ", ".join(f"json_extract(value, '$.{c}')" for c in _USAGE_COLUMNS.split(", "))
        + f" FROM json_each(?1) WHERE true {_USAGE_CONFLICT}"
        "last_called_at = max(api_usage.last_called_at, excluded.last_called_at)"
    ),
)
_USAGE_SINCE = Sql.portable(
    "SELECT operation_id, customer_id, api_version, max(day) AS day, sum(calls) AS calls, "
    "max(last_called_at) AS last_called_at FROM api_usage WHERE day >= $1 "
    "GROUP BY operation_id, customer_id, api_version "
    "ORDER BY operation_id, customer_id, api_version"
)


class SqlUsageRepository:
    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(self, counts: Sequence[UsageCount]) -> None:
        merged: dict[tuple[str, str, str, date], UsageCount] = {}
        for count in counts:  # one batch may not name a row twice (PostgreSQL refuses)
            key = (count.operation_id, count.customer_id, count.api_version, count.day)
            seen = merged.get(key)
            if seen is not None:
                count = UsageCount(
                    *key,
                    seen.calls + count.calls,
                    max(seen.last_called_at, count.last_called_at),
                )
            merged[key] = count
        if not merged:
            return
        pg = self._session.dialect is Dialect.POSTGRESQL
        batch = [
            {
                "operation_id": c.operation_id,
                "customer_id": c.customer_id,
                "api_version": c.api_version,
                "day": c.day.isoformat(),
                "calls": c.calls,
                "last_called_at": c.last_called_at.isoformat()
                if pg
                else to_micros(c.last_called_at),
            }
            for c in merged.values()
        ]
        await self._session.execute(_ADD_USAGE, orjson.dumps(batch).decode())

    async def since(self, day: date) -> list[UsageCount]:
        pg = self._session.dialect is Dialect.POSTGRESQL
        rows = await self._session.fetch_all(_USAGE_SINCE, day if pg else day.isoformat())
        return [
            UsageCount(
                operation_id=str(row["operation_id"]),
                customer_id=str(row["customer_id"]),
                api_version=str(row["api_version"]),
                day=row["day"] if pg else date.fromisoformat(row["day"]),
                calls=int(row["calls"]),
                last_called_at=self._session.to_datetime(row["last_called_at"]),
            )
            for row in rows
        ]
