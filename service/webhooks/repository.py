"""All SQL of webhook_endpoints, webhook_deliveries and webhook_attempts; both dialects side by side.

Batches of ids travel as one JSON array parameter, so a batch is one statement on either
database. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; on SQLite the write transaction
(`BEGIN IMMEDIATE`) already excludes every other writer, in this process or another.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

from service.kit.db import Row, Session, Sql
from service.kit.pagination import Keyset
from service.webhooks.records import (
    AttemptRecord,
    DeliveryRecord,
    DueDelivery,
    EndpointRecord,
    NewDelivery,
    Page,
    Settlement,
    signing_secrets,
)

__all__ = [
    "ENDPOINT_COLUMNS",
    "AttemptRecord",
    "DeliveryRecord",
    "DueDelivery",
    "EndpointRecord",
    "NewDelivery",
    "Page",
    "Settlement",
    "SqlWebhooksRepository",
    "WebhooksRepository",
    "endpoint_from_row",
]


class WebhooksRepository(Protocol):
    async def insert_endpoint(self, endpoint: EndpointRecord) -> None: ...

    async def count_endpoints(self, customer_id: str) -> int: ...

    async def get_endpoint(self, endpoint_id: UUID, customer_id: str) -> EndpointRecord | None:
        """The customer's endpoint, or None: another customer's is as absent as none."""

    async def page_endpoints(
        self, customer_id: str, *, after: Keyset | None, limit: int
    ) -> Page[EndpointRecord]: ...

    async def delete_endpoint(self, endpoint_id: UUID, customer_id: str) -> bool:
        """Delete the customer's endpoint and its deliveries; False if there was none."""

    async def page_deliveries(
        self, endpoint_id: UUID, *, status: str | None, after: Keyset | None, limit: int
    ) -> Page[DeliveryRecord]: ...

    async def get_delivery(
        self, delivery_id: UUID, endpoint_id: UUID, customer_id: str
    ) -> DeliveryRecord | None: ...

    async def attempts_of(self, delivery_ids: list[UUID]) -> dict[UUID, list[AttemptRecord]]:
        """Each delivery's attempts, oldest first."""

    async def subscribers(self, customer_id: str) -> list[EndpointRecord]:
        """Every endpoint of the customer (the caller filters by event type)."""

    async def add_delivery(self, delivery: NewDelivery) -> None:
        """Queue it, unless this event is queued for this endpoint already."""

    async def lock_due(self, now: datetime, limit: int) -> list[DueDelivery]:
        """Up to `limit` deliveries due at `now`, locked for this transaction, skipping those
        another transaction holds."""

    async def start_attempts(
        self, delivery_ids: list[UUID], *, lease_id: UUID, lease_until: datetime, now: datetime
    ) -> None:
        """Mark them `delivering` under the lease and count the attempt."""

    async def lock_lease(self, delivery_id: UUID) -> tuple[UUID | None] | None:
        """Lock the delivery for this transaction; (its lease,), or None if it is gone."""

    async def add_attempt(self, attempt: AttemptRecord) -> None: ...

    async def settle(self, delivery_id: UUID, settlement: Settlement, now: datetime) -> None:
        """Set the outcome and drop the lease."""


def _ids(ids: Iterable[UUID]) -> str:
    return orjson.dumps([str(i) for i in ids]).decode()


def _pg_ids(param: str) -> str:
    return f"(SELECT value::uuid FROM jsonb_array_elements_text({param}::jsonb))"


def _sqlite_ids(param: str) -> str:
    return f"(SELECT value FROM json_each({param}))"


def endpoint_from_row(s: Session, row: Row) -> EndpointRecord:
    """An EndpointRecord from a row holding ENDPOINT_COLUMNS."""
    expires = row["previous_secret_expires_at"]
    return EndpointRecord(
        id=s.to_uuid(row["id"]),
        customer_id=row["customer_id"],
        url=row["url"],
        event_types=tuple(orjson.loads(row["event_types"])),
        description=row["description"],
        secret=row["secret"],
        created_at=s.to_datetime(row["created_at"]),
        previous_secret=row["previous_secret"],
        previous_secret_expires_at=None if expires is None else s.to_datetime(expires),
    )


_NEW_ENDPOINT = "id, customer_id, url, event_types, description, secret, created_at"
ENDPOINT_COLUMNS = _NEW_ENDPOINT + ", previous_secret, previous_secret_expires_at"
_ENDPOINT = ENDPOINT_COLUMNS
_INSERT_ENDPOINT = Sql.portable(
    f"INSERT INTO webhook_endpoints ({_NEW_ENDPOINT}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
_COUNT_ENDPOINTS = Sql.portable(
    "SELECT count(*) AS n FROM webhook_endpoints WHERE customer_id = $1"
)
_GET_ENDPOINT = Sql.portable(
    f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE id = $1 AND customer_id = $2"
)
_FIRST_ENDPOINTS = Sql.portable(
    f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE customer_id = $1 "
    "ORDER BY created_at DESC, id DESC LIMIT $2"
)
_NEXT_ENDPOINTS = Sql.portable(
    f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE customer_id = $1 "
    "AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4"
)
_DELETE_ENDPOINT = Sql.portable("DELETE FROM webhook_endpoints WHERE id = $1 AND customer_id = $2")
_SUBSCRIBERS = Sql.portable(f"SELECT {_ENDPOINT} FROM webhook_endpoints WHERE customer_id = $1")

_DELIVERY = (
    "id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, "
    "last_status_code, last_error, created_at, completed_at"
)
_ADD_DELIVERY = Sql.portable(
    "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, status, "
    "attempts, next_attempt_at, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6) "
    "ON CONFLICT (event_id, endpoint_id) DO NOTHING"
)
_FIRST_DELIVERIES = Sql(
    pg=f"SELECT {_DELIVERY} FROM webhook_deliveries WHERE endpoint_id = $1 "
    "AND ($2::text IS NULL OR status = $2::text) ORDER BY created_at DESC, id DESC LIMIT $3",
    sqlite=f"SELECT {_DELIVERY} FROM webhook_deliveries WHERE endpoint_id = ?1 "
    "AND (?2 IS NULL OR status = ?2) ORDER BY created_at DESC, id DESC LIMIT ?3",
)
_NEXT_DELIVERIES = Sql(
    pg=f"SELECT {_DELIVERY} FROM webhook_deliveries WHERE endpoint_id = $1 "
    "AND ($2::text IS NULL OR status = $2::text) AND (created_at, id) < ($3, $4) "
    "ORDER BY created_at DESC, id DESC LIMIT $5",
    sqlite=f"SELECT {_DELIVERY} FROM webhook_deliveries WHERE endpoint_id = ?1 "
    "AND (?2 IS NULL OR status = ?2) AND (created_at, id) < (?3, ?4) "
    "ORDER BY created_at DESC, id DESC LIMIT ?5",
)
_GET_DELIVERY = Sql.portable(
    "SELECT "
    + ", ".join(f"d.{column}" for column in _DELIVERY.split(", "))
    + " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
    "WHERE d.id = $1 AND d.endpoint_id = $2 AND e.customer_id = $3"
)
_ATTEMPT = "id, delivery_id, number, started_at, duration_ms, status_code, error"
_ATTEMPTS_OF = Sql(
    pg=f"SELECT {_ATTEMPT} FROM webhook_attempts WHERE delivery_id IN {_pg_ids('$1')} "
    "ORDER BY number, started_at",
    sqlite=f"SELECT {_ATTEMPT} FROM webhook_attempts WHERE delivery_id IN {_sqlite_ids('?1')} "
    "ORDER BY number, started_at",
)
_ADD_ATTEMPT = Sql.portable(
    f"INSERT INTO webhook_attempts ({_ATTEMPT}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)

_DUE = (
    "SELECT d.id, d.endpoint_id, d.event_type, d.body, d.status, d.attempts, d.updated_at, "
    "e.url, e.secret, e.previous_secret, e.previous_secret_expires_at "
    "FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
    "WHERE d.status IN ('pending', 'delivering') AND d.next_attempt_at <= {now} "
    "ORDER BY d.next_attempt_at LIMIT {limit}"
)
_LOCK_DUE = Sql(
    pg=_DUE.format(now="$1", limit="$2") + " FOR UPDATE OF d SKIP LOCKED",
    sqlite=_DUE.format(now="?1", limit="?2"),
)
_START_ATTEMPTS = Sql(
    pg="UPDATE webhook_deliveries SET status = 'delivering', attempts = attempts + 1, "
    f"lease_id = $2, next_attempt_at = $3, updated_at = $4 WHERE id IN {_pg_ids('$1')}",
    sqlite="UPDATE webhook_deliveries SET status = 'delivering', attempts = attempts + 1, "
    f"lease_id = ?2, next_attempt_at = ?3, updated_at = ?4 WHERE id IN {_sqlite_ids('?1')}",
)
_LOCK_LEASE = Sql(
    pg="SELECT lease_id FROM webhook_deliveries WHERE id = $1 FOR UPDATE",
    sqlite="SELECT lease_id FROM webhook_deliveries WHERE id = ?1",
)
_SETTLE = Sql.portable(
    "UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, lease_id = NULL, "
    "last_status_code = $4, last_error = $5, completed_at = $6, updated_at = $7 WHERE id = $1"
)


class SqlWebhooksRepository:
    """WebhooksRepository over either database's Session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def _time(self, value: Any) -> datetime | None:
        return None if value is None else self._session.to_datetime(value)

    def _endpoint(self, row: Row) -> EndpointRecord:
        return endpoint_from_row(self._session, row)

    def _delivery(self, row: Row) -> DeliveryRecord:
        s = self._session
        return DeliveryRecord(
            id=s.to_uuid(row["id"]),
            endpoint_id=s.to_uuid(row["endpoint_id"]),
            event_id=s.to_uuid(row["event_id"]),
            event_type=row["event_type"],
            status=row["status"],
            attempts=row["attempts"],
            next_attempt_at=self._time(row["next_attempt_at"]),
            last_status_code=row["last_status_code"],
            last_error=row["last_error"],
            created_at=s.to_datetime(row["created_at"]),
            completed_at=self._time(row["completed_at"]),
        )

    def _page(self, rows: list[Row], limit: int, item: Any) -> Page[Any]:
        # One row more than asked says whether another page follows.
        next_after = None
        if len(rows) > limit:
            last = rows[limit - 1]
            s = self._session
            next_after = Keyset(s.to_datetime(last["created_at"]), s.to_uuid(last["id"]))
        return Page([item(row) for row in rows[:limit]], next_after)

    async def insert_endpoint(self, endpoint: EndpointRecord) -> None:
        await self._session.execute(
            _INSERT_ENDPOINT,
            endpoint.id,
            endpoint.customer_id,
            endpoint.url,
            orjson.dumps(list(endpoint.event_types)).decode(),
            endpoint.description,
            endpoint.secret,
            endpoint.created_at,
        )

    async def count_endpoints(self, customer_id: str) -> int:
        row = await self._session.fetch_one(_COUNT_ENDPOINTS, customer_id)
        return 0 if row is None else int(row["n"])

    async def get_endpoint(self, endpoint_id: UUID, customer_id: str) -> EndpointRecord | None:
        row = await self._session.fetch_one(_GET_ENDPOINT, endpoint_id, customer_id)
        return None if row is None else self._endpoint(row)

    async def page_endpoints(
        self, customer_id: str, *, after: Keyset | None, limit: int
    ) -> Page[EndpointRecord]:
        if after is None:
            rows = await self._session.fetch_all(_FIRST_ENDPOINTS, customer_id, limit + 1)
        else:
            rows = await self._session.fetch_all(
                _NEXT_ENDPOINTS, customer_id, after.created_at, after.id, limit + 1
            )
        return self._page(rows, limit, self._endpoint)

    async def delete_endpoint(self, endpoint_id: UUID, customer_id: str) -> bool:
        return await self._session.execute(_DELETE_ENDPOINT, endpoint_id, customer_id) > 0

    async def page_deliveries(
        self, endpoint_id: UUID, *, status: str | None, after: Keyset | None, limit: int
    ) -> Page[DeliveryRecord]:
        if after is None:
            rows = await self._session.fetch_all(_FIRST_DELIVERIES, endpoint_id, status, limit + 1)
        else:
            rows = await self._session.fetch_all(
                _NEXT_DELIVERIES, endpoint_id, status, after.created_at, after.id, limit + 1
            )
        return self._page(rows, limit, self._delivery)

    async def get_delivery(
        self, delivery_id: UUID, endpoint_id: UUID, customer_id: str
    ) -> DeliveryRecord | None:
        row = await self._session.fetch_one(_GET_DELIVERY, delivery_id, endpoint_id, customer_id)
        return None if row is None else self._delivery(row)

    async def attempts_of(self, delivery_ids: list[UUID]) -> dict[UUID, list[AttemptRecord]]:
        found: dict[UUID, list[AttemptRecord]] = {i: [] for i in delivery_ids}
        if not delivery_ids:
            return found
        s = self._session
        for row in await s.fetch_all(_ATTEMPTS_OF, _ids(delivery_ids)):
            attempt = AttemptRecord(
                id=s.to_uuid(row["id"]),
                delivery_id=s.to_uuid(row["delivery_id"]),
                number=row["number"],
                started_at=s.to_datetime(row["started_at"]),
                duration_ms=row["duration_ms"],
                status_code=row["status_code"],
                error=row["error"],
            )
            found[attempt.delivery_id].append(attempt)
        return found

    async def subscribers(self, customer_id: str) -> list[EndpointRecord]:
        return [
            self._endpoint(row) for row in await self._session.fetch_all(_SUBSCRIBERS, customer_id)
        ]

    async def add_delivery(self, delivery: NewDelivery) -> None:
        await self._session.execute(
            _ADD_DELIVERY,
            delivery.id,
            delivery.endpoint_id,
            delivery.event_id,
            delivery.event_type,
            delivery.body,
            delivery.created_at,
        )

    async def lock_due(self, now: datetime, limit: int) -> list[DueDelivery]:
        s = self._session
        return [
            DueDelivery(
                id=s.to_uuid(row["id"]),
                endpoint_id=s.to_uuid(row["endpoint_id"]),
                event_type=row["event_type"],
                body=row["body"],
                status=row["status"],
                attempts=row["attempts"],
                updated_at=s.to_datetime(row["updated_at"]),
                url=row["url"],
                secrets=signing_secrets(
                    row["secret"],
                    row["previous_secret"],
                    self._time(row["previous_secret_expires_at"]),
                    now,
                ),
            )
            for row in await s.fetch_all(_LOCK_DUE, now, limit)
        ]

    async def start_attempts(
        self, delivery_ids: list[UUID], *, lease_id: UUID, lease_until: datetime, now: datetime
    ) -> None:
        if delivery_ids:
            await self._session.execute(
                _START_ATTEMPTS, _ids(delivery_ids), lease_id, lease_until, now
            )

    async def lock_lease(self, delivery_id: UUID) -> tuple[UUID | None] | None:
        row = await self._session.fetch_one(_LOCK_LEASE, delivery_id)
        if row is None:
            return None
        lease = row["lease_id"]
        return (None if lease is None else self._session.to_uuid(lease),)

    async def add_attempt(self, attempt: AttemptRecord) -> None:
        await self._session.execute(
            _ADD_ATTEMPT,
            attempt.id,
            attempt.delivery_id,
            attempt.number,
            attempt.started_at,
            attempt.duration_ms,
            attempt.status_code,
            attempt.error,
        )

    async def settle(self, delivery_id: UUID, settlement: Settlement, now: datetime) -> None:
        await self._session.execute(
            _SETTLE,
            delivery_id,
            settlement.status,
            settlement.next_attempt_at,
            settlement.last_status_code,
            settlement.last_error,
            settlement.completed_at,
            now,
        )
