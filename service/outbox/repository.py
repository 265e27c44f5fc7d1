"""All SQL of outbox_events, behind the OutboxRepository interface: queued by requests, relayed by
the webhook worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

import orjson

from service.kit.db import Row, Session, Sql


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """An event to deliver: `payload` is the public JSON of the resource, never internal fields."""

    id: UUID
    event_type: str
    aggregate_id: UUID
    payload: str
    created_at: datetime


class OutboxRepository(Protocol):
    async def add(self, event: OutboxEvent) -> None:
        """Queue the event in the current transaction; it is deliverable once that commits."""

    async def claim_pending(self, now: datetime, limit: int) -> list[OutboxEvent]:
        """Up to `limit` pending events, oldest first, locked for this transaction; events
        another transaction holds are skipped, so relays running at once never share one."""

    async def mark_delivered(self, event_ids: list[UUID], at: datetime) -> None:
        """The relay has handed these events on (for webhooks: queued their deliveries)."""

    async def mark_failed(self, event_id: UUID, error: str, at: datetime) -> None:
        """The relay cannot hand this event on; it stays for a person to look at."""


_ADD = Sql.portable(
    "INSERT INTO outbox_events (id, event_type, aggregate_id, payload, status, attempts, "
    "created_at, available_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)"
)

_COLUMNS = "id, event_type, aggregate_id, payload, created_at"
_CLAIM = Sql(
    pg=f"SELECT {_COLUMNS} FROM outbox_events WHERE status = 'pending' AND available_at <= $1 "
    "ORDER BY available_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    # SQLite: the write transaction (BEGIN IMMEDIATE) already excludes every other relay.
    sqlite=f"SELECT {_COLUMNS} FROM outbox_events WHERE status = 'pending' AND available_at <= ?1 "
    "ORDER BY available_at LIMIT ?2",
)
# Ids travel as one JSON array, so a batch is one statement in both dialects.
_MARK_DELIVERED = Sql(
    pg="UPDATE outbox_events SET status = 'delivered', delivered_at = $2, attempts = attempts + 1 "
    "WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))",
    sqlite="UPDATE outbox_events SET status = 'delivered', delivered_at = ?2, "
    "attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?1))",
)
_MARK_FAILED = Sql.portable(
    "UPDATE outbox_events SET status = 'failed', last_error = $2, attempts = attempts + 1, "
    "available_at = $3 WHERE id = $1"
)


class SqlOutboxRepository:
    """OutboxRepository over either database's Session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(self, event: OutboxEvent) -> None:
        await self._session.execute(
            _ADD, event.id, event.event_type, event.aggregate_id, event.payload, event.created_at
        )

    def _event(self, row: Row) -> OutboxEvent:
        s = self._session
        return OutboxEvent(
            id=s.to_uuid(row["id"]),
            event_type=row["event_type"],
            aggregate_id=s.to_uuid(row["aggregate_id"]),
            payload=str(row["payload"]),
            created_at=s.to_datetime(row["created_at"]),
        )

    async def claim_pending(self, now: datetime, limit: int) -> list[OutboxEvent]:
        return [self._event(row) for row in await self._session.fetch_all(_CLAIM, now, limit)]

    async def mark_delivered(self, event_ids: list[UUID], at: datetime) -> None:
        if event_ids:
            ids = orjson.dumps([str(event_id) for event_id in event_ids]).decode()
            await self._session.execute(_MARK_DELIVERED, ids, at)

    async def mark_failed(self, event_id: UUID, error: str, at: datetime) -> None:
        await self._session.execute(_MARK_FAILED, event_id, error, at)
