"""All SQL of the orders table, behind the OrdersRepository interface; both dialects side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

import orjson

from service.kit.db import Row, Session, Sql
from service.kit.pagination import Keyset

_COLUMNS = (
    "id, customer_id, amount_cents, currency, status, description, metadata, payment_method, "
    "risk_score, created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """A row of `orders`, internal columns included."""

    id: UUID
    customer_id: str
    amount_cents: int
    currency: str
    status: str
    description: str | None
    metadata: dict[str, str]
    payment_method: dict[str, str] | None
    risk_score: int
    created_at: datetime
    updated_at: datetime

    @property
    def keyset(self) -> Keyset:
        return Keyset(self.created_at, self.id)


class OrdersRepository(Protocol):
    async def insert(self, order: OrderRecord) -> None: ...

    async def get(self, order_id: UUID, customer_id: str) -> OrderRecord | None:
        """The customer's order, or None: another customer's order is as absent as no order."""

    async def transition(
        self, order_id: UUID, customer_id: str, *, source: str, target: str, at: datetime
    ) -> OrderRecord | None:
        """Move the order from status `source` to `target`; None if it is not in `source`."""

    async def page(
        self, customer_id: str, *, after: Keyset | None, limit: int
    ) -> list[OrderRecord]:
        """Up to `limit` of the customer's orders, newest first, strictly after `after`."""


_INSERT = Sql.portable(
    f"INSERT INTO orders ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)
_GET = Sql.portable(f"SELECT {_COLUMNS} FROM orders WHERE id = $1 AND customer_id = $2")
# One statement decides and changes: the status check and the update cannot interleave with
# another request's, and the happy path costs one round trip.
_TRANSITION = Sql.portable(
    "UPDATE orders SET status = $4, updated_at = $5 "
    f"WHERE id = $1 AND customer_id = $2 AND status = $3 RETURNING {_COLUMNS}"
)
_FIRST_PAGE = Sql.portable(
    f"SELECT {_COLUMNS} FROM orders WHERE customer_id = $1 "
    "ORDER BY created_at DESC, id DESC LIMIT $2"
)
# The row comparison is what ix_orders_customer_created answers directly, at any depth.
_NEXT_PAGE = Sql.portable(
    f"SELECT {_COLUMNS} FROM orders WHERE customer_id = $1 AND (created_at, id) < ($2, $3) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"
)


def _json(value: object) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


class SqlOrdersRepository:
    """OrdersRepository over either database's Session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def _record(self, row: Row) -> OrderRecord:
        s = self._session
        payment_method = row["payment_method"]
        return OrderRecord(
            id=s.to_uuid(row["id"]),
            customer_id=row["customer_id"],
            amount_cents=row["amount_cents"],
            currency=row["currency"],
            status=row["status"],
            description=row["description"],
            metadata=orjson.loads(row["metadata"]),
            payment_method=None if payment_method is None else orjson.loads(payment_method),
            risk_score=row["risk_score"],
            created_at=s.to_datetime(row["created_at"]),
            updated_at=s.to_datetime(row["updated_at"]),
        )

    async def insert(self, order: OrderRecord) -> None:
        await self._session.execute(
            _INSERT,
            order.id,
            order.customer_id,
            order.amount_cents,
            order.currency,
            order.status,
            order.description,
            _json(order.metadata),
            _json(order.payment_method),
            order.risk_score,
            order.created_at,
            order.updated_at,
        )

    async def get(self, order_id: UUID, customer_id: str) -> OrderRecord | None:
        row = await self._session.fetch_one(_GET, order_id, customer_id)
        return None if row is None else self._record(row)

    async def transition(
        self, order_id: UUID, customer_id: str, *, source: str, target: str, at: datetime
    ) -> OrderRecord | None:
        row = await self._session.fetch_one(_TRANSITION, order_id, customer_id, source, target, at)
        return None if row is None else self._record(row)

    async def page(
        self, customer_id: str, *, after: Keyset | None, limit: int
    ) -> list[OrderRecord]:
        if after is None:
            rows = await self._session.fetch_all(_FIRST_PAGE, customer_id, limit)
        else:
            rows = await self._session.fetch_all(
                _NEXT_PAGE, customer_id, after.created_at, after.id, limit
            )
        return [self._record(row) for row in rows]
