"""All SQL that writes outbox_events, behind the OutboxRepository interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from service.kit.db import Session, Sql


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


_ADD = Sql.portable(
    "INSERT INTO outbox_events (id, event_type, aggregate_id, payload, status, attempts, "
    "created_at, available_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)"
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
