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
from service.orders.projection import unset_left_out
from service.orders.repository import (
    PUBLIC_COLUMNS,
    Claim,
    KeyClaim,
    NewEvent,
    OrderRecord,
    OrdersRepository,
)
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
    """The created (or replayed) order as its public JSON, which was validated when built."""

    order_id: UUID
    order_json: str
    replayed: bool


_present = unset_left_out(models.Order)


def render(public: dict[str, object]) -> bytes:
    """An order's public fields as JSON. No model in between: the values were validated on the
    way in, and orjson writes what pydantic would (canonical UUIDs, `Z` timestamps, compact),
    byte for byte, so a read answers exactly what the create answered. An optional property
    without a value is left out, never null."""
    return orjson.dumps(_present(public), option=orjson.OPT_UTC_Z)


def render_page(orders: list[dict[str, object]], next_cursor: str | None) -> bytes:
    """A page of orders as the JSON of an OrderPage, in one call: no order is encoded twice."""
    page = {"data": [_present(order) for order in orders], "next_cursor": next_cursor}
    return orjson.dumps(page, option=orjson.OPT_UTC_Z)


def public_fields(record: OrderRecord) -> dict[str, object]:
    """The API's view of a row (models.Order): internal columns such as risk_score stay behind."""
    return {name: getattr(record, name) for name in PUBLIC_COLUMNS}


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
        record = OrderRecord(
            id=self._ids.new_id(),
            customer_id=caller,
            amount_cents=body.amount_cents,
            currency=body.currency,
            status=Status.PENDING,
            statement_descriptor=body.statement_descriptor,
            metadata=body.metadata.root if body.metadata is not None else {},
            payment_method=(
                body.payment_method.model_dump(mode="json") if body.payment_method else None
            ),
            risk_score=risk_score(body),
            created_at=now,
            updated_at=now,
        )
        order_json = render(public_fields(record)).decode()
        claim = KeyClaim(
            lock_id=self._idempotency.lock_id(caller, key),
            key=key,
            fingerprint=digest,
            response=order_json,
            expires_at=self._idempotency.expires_at(now),
        )
        event = NewEvent(id=self._ids.new_id(), event_type="order.created")
        outcome = await unit.orders.insert_claiming(record, claim=claim, event=event)
        if outcome is not Claim.CREATED:
            stored = await self._idempotency.replay(
                unit,
                customer_id=caller,
                key=key,
                fingerprint=digest,
                now=now,
                in_flight=outcome is Claim.IN_FLIGHT,
            )
            # The stored body is the JSON this service answered with the first time.
            replayed = orjson.loads(stored.body)["id"]
            return Created(UUID(replayed), stored.body, replayed=True)
        return Created(record.id, order_json, replayed=False)

    async def get(self, unit: OrdersUnit, *, caller: str, order_id: UUID) -> bytes:
        """The order's public JSON."""
        found = await unit.orders.get_public(order_id, caller)
        if found is None:
            raise OrderNotFound(order_id)
        return render(found)

    async def cancel(self, unit: OrdersUnit, *, caller: str, order_id: UUID) -> bytes:
        """Cancel the order; its public JSON afterwards."""
        sources = [s for s, targets in TRANSITIONS.items() if Status.CANCELLED in targets]
        for source in sources:
            changed = await unit.orders.transition(
                order_id, caller, source=source, target=Status.CANCELLED, at=self._clock.now()
            )
            if changed is not None:
                order_json = render(changed)
                await self._emit(unit, "order.cancelled", order_id, order_json.decode())
                return order_json
        current = await unit.orders.get(order_id, caller)
        if current is None:
            raise OrderNotFound(order_id)
        raise OrderNotCancellable(order_id, current.status)

    async def list(
        self, unit: OrdersUnit, *, caller: str, customer_id: str, limit: int, cursor: str | None
    ) -> bytes:
        """One page as the public JSON of an OrderPage."""
        if customer_id != caller:
            raise CustomerNotFound(customer_id)
        # The cursor is bound to the customer: one from another list fails its signature.
        after = self._cursors.decode(cursor, scope=customer_id) if cursor is not None else None
        page = await unit.orders.page(customer_id, after=after, limit=limit)
        cursor = (
            None
            if page.next_after is None
            else self._cursors.encode(page.next_after, scope=customer_id)
        )
        return render_page(page.orders, cursor)

    async def _emit(self, unit: OrdersUnit, event_type: str, order_id: UUID, payload: str) -> None:
        await unit.outbox.add(
            OutboxEvent(
                id=self._ids.new_id(),
                event_type=event_type,
                aggregate_id=order_id,
                payload=payload,
                created_at=self._clock.now(),
            )
        )
