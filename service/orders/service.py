"""The order rules: ownership, the status machine, idempotent creation, keyset listing."""

# Services never commit: the handler's unit of work does, so every write of one request (order,
# idempotency record, outbox event) lands in one transaction or none.

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from uuid import UUID

import orjson

from generated import models
from service.idempotency.service import IdempotencyService, IdempotencyUnit, fingerprint
from service.kit.clock import Clock, IdGenerator
from service.kit.pagination import CursorCodec
from service.orders.errors import (
    CustomerMismatch,
    CustomerNotFound,
    OrderNotCancellable,
    OrderNotFound,
)
from service.orders.repository import OrderRecord, OrdersRepository
from service.orders.risk import risk_score
from service.outbox.repository import OutboxEvent, OutboxRepository

Status = models.OrderStatus

# The lifecycle: which status each status may move to. Only pending can be cancelled.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset({Status.REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
}


class OrdersUnit(IdempotencyUnit, Protocol):
    """What the order operations need from one unit of work."""

    @property
    def orders(self) -> OrdersRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...


@dataclass(frozen=True, slots=True)
class Created:
    order: models.Order
    replayed: bool


def to_public(record: OrderRecord) -> models.Order:
    """The API's view of a row: the model reads only its own fields, so internal columns such
    as risk_score stay behind."""
    return models.Order.model_validate(record, from_attributes=True)


class OrdersService:
    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdGenerator,
        cursors: CursorCodec,
        idempotency_ttl: timedelta,
    ) -> None:
        self._clock = clock
        self._ids = ids
        self._cursors = cursors
        self._idempotency = IdempotencyService(ttl=idempotency_ttl)

    async def create(
        self, unit: OrdersUnit, *, caller: str, key: str, body: models.OrderCreate
    ) -> Created:
        if body.customer_id != caller:
            raise CustomerMismatch(body.customer_id)
        now = self._clock.now()
        digest = fingerprint(body)
        stored = await self._idempotency.begin(
            unit, customer_id=caller, key=key, fingerprint=digest, now=now
        )
        if stored is not None:
            return Created(models.Order.model_validate_json(stored.body), replayed=True)

        record = OrderRecord(
            id=self._ids.new_id(),
            customer_id=caller,
            amount_cents=body.amount_cents,
            currency=body.currency,
            status=Status.PENDING,
            description=body.description,
            metadata=body.metadata.root if body.metadata is not None else {},
            payment_method=(
                body.payment_method.model_dump(mode="json") if body.payment_method else None
            ),
            risk_score=risk_score(body),
            created_at=now,
            updated_at=now,
        )
        await unit.orders.insert(record)
        order = to_public(record)
        order_json = order.model_dump_json()
        await self._emit(unit, "order.created", order, order_json)
        await self._idempotency.complete(
            unit,
            customer_id=caller,
            key=key,
            fingerprint=digest,
            status_code=201,
            body=order_json,
            now=now,
        )
        return Created(order, replayed=False)

    async def get(self, unit: OrdersUnit, *, caller: str, order_id: UUID) -> models.Order:
        found = await unit.orders.get_public(order_id, caller)
        if found is None:
            raise OrderNotFound(order_id)
        return models.Order.model_validate_json(found)

    async def cancel(self, unit: OrdersUnit, *, caller: str, order_id: UUID) -> models.Order:
        sources = [s for s, targets in TRANSITIONS.items() if Status.CANCELLED in targets]
        for source in sources:
            changed = await unit.orders.transition(
                order_id, caller, source=source, target=Status.CANCELLED, at=self._clock.now()
            )
            if changed is not None:
                order = models.Order.model_validate_json(changed)
                await self._emit(unit, "order.cancelled", order, order.model_dump_json())
                return order
        current = await unit.orders.get(order_id, caller)
        if current is None:
            raise OrderNotFound(order_id)
        raise OrderNotCancellable(order_id, current.status)

    async def list(
        self, unit: OrdersUnit, *, caller: str, customer_id: str, limit: int, cursor: str | None
    ) -> models.OrderPage:
        if customer_id != caller:
            raise CustomerNotFound(customer_id)
        # The cursor is bound to the customer: one from another list fails its signature.
        after = self._cursors.decode(cursor, scope=customer_id) if cursor is not None else None
        page = await unit.orders.page(customer_id, after=after, limit=limit)
        cursor_json = (
            "null"
            if page.next_after is None
            else orjson.dumps(self._cursors.encode(page.next_after, scope=customer_id)).decode()
        )
        # One native validation pass over the page the database already rendered.
        data = ",".join(page.orders)
        return models.OrderPage.model_validate_json(
            f'{{"data":[{data}],"next_cursor":{cursor_json}}}'
        )

    async def _emit(
        self, unit: OrdersUnit, event_type: str, order: models.Order, payload: str
    ) -> None:
        await unit.outbox.add(
            OutboxEvent(
                id=self._ids.new_id(),
                event_type=event_type,
                aggregate_id=order.id,
                payload=payload,
                created_at=self._clock.now(),
            )
        )
