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


@dataclass(frozen=True, slots=True)
class PublicPage:
    """A page of orders as the API shows them (JSON), and where the next page starts."""

    orders: list[str]
    # The position of the page's last order when more follow, else None.
    next_after: Keyset | None


class OrdersRepository(Protocol):
    async def insert(self, order: OrderRecord) -> None: ...

    async def get(self, order_id: UUID, customer_id: str) -> OrderRecord | None:
        """The customer's order, or None: another customer's order is as absent as no order."""

    async def get_public(self, order_id: UUID, customer_id: str) -> str | None:
        """Like `get`, as the public JSON."""

    async def transition(
        self, order_id: UUID, customer_id: str, *, source: str, target: str, at: datetime
    ) -> str | None:
        """Move the order from status `source` to `target`; its public JSON afterwards, or None
        if it is not the customer's order or not in `source`."""

    async def page(self, customer_id: str, *, after: Keyset | None, limit: int) -> PublicPage:
        """Up to `limit` of the customer's orders, newest first, strictly after `after`."""


# The public projection, built by the database on read paths: internal columns are never
# selected there, and the client skips decoding rows into objects only to encode them again
# (pydantic validates the JSON in one native pass). Timestamps leave as UTC ISO 8601.
_PUBLIC_FIELDS = (
    "'id', id, 'customer_id', customer_id, 'amount_cents', amount_cents, 'currency', currency, "
    "'status', status, 'description', description, "
)
_PUBLIC_PG = (
    f"json_build_object({_PUBLIC_FIELDS}'metadata', metadata, 'payment_method', payment_method, "
    "'created_at', created_at, 'updated_at', updated_at)::text"
)
_SQLITE_TIME = (
    "strftime('%Y-%m-%dT%H:%M:%S', {0} / 1000000, 'unixepoch') || printf('.%06dZ', {0} % 1000000)"
)
_PUBLIC_SQLITE = (
    f"json_object({_PUBLIC_FIELDS}'metadata', json(metadata), "
    "'payment_method', json(payment_method), "
    f"'created_at', {_SQLITE_TIME.format('created_at')}, "
    f"'updated_at', {_SQLITE_TIME.format('updated_at')})"
)


def _public(template: str) -> Sql:
    """A statement selecting the public projection as `{public}`, in both dialects."""
    return Sql(
        pg=template.format(public=_PUBLIC_PG),
        sqlite=Sql.portable(template.format(public=_PUBLIC_SQLITE)).sqlite,
    )


_INSERT = Sql.portable(
    f"INSERT INTO orders ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)
_GET = Sql.portable(f"SELECT {_COLUMNS} FROM orders WHERE id = $1 AND customer_id = $2")
_GET_PUBLIC = _public("SELECT {public} AS public FROM orders WHERE id = $1 AND customer_id = $2")
# One statement decides and changes: the status check and the update cannot interleave with
# another request's, and the happy path costs one round trip.
_TRANSITION = _public(
    "UPDATE orders SET status = $4, updated_at = $5 "
    "WHERE id = $1 AND customer_id = $2 AND status = $3 RETURNING {public} AS public"
)
_FIRST_PAGE = _public(
    "SELECT created_at, id, {public} AS public FROM orders WHERE customer_id = $1 "
    "ORDER BY created_at DESC, id DESC LIMIT $2"
)
# The row comparison is what ix_orders_customer_created answers directly, at any depth.
_NEXT_PAGE = _public(
    "SELECT created_at, id, {public} AS public FROM orders "
    "WHERE customer_id = $1 AND (created_at, id) < ($2, $3) "
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

    async def get_public(self, order_id: UUID, customer_id: str) -> str | None:
        row = await self._session.fetch_one(_GET_PUBLIC, order_id, customer_id)
        return None if row is None else str(row["public"])

    async def transition(
        self, order_id: UUID, customer_id: str, *, source: str, target: str, at: datetime
    ) -> str | None:
        row = await self._session.fetch_one(_TRANSITION, order_id, customer_id, source, target, at)
        return None if row is None else str(row["public"])

    async def page(self, customer_id: str, *, after: Keyset | None, limit: int) -> PublicPage:
        # One row more than asked says whether another page follows.
        if after is None:
            rows = await self._session.fetch_all(_FIRST_PAGE, customer_id, limit + 1)
        else:
            rows = await self._session.fetch_all(
                _NEXT_PAGE, customer_id, after.created_at, after.id, limit + 1
            )
        next_after = None
        if len(rows) > limit:
            last = rows[limit - 1]
            s = self._session
            next_after = Keyset(s.to_datetime(last["created_at"]), s.to_uuid(last["id"]))
        return PublicPage([row["public"] for row in rows[:limit]], next_after)
