"""The repository interfaces, held to one contract on both databases."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from service.idempotency.repository import StoredResponse
from service.kit.db import Sql
from service.kit.pagination import Keyset
from service.orders.repository import PUBLIC_COLUMNS, OrderRecord
from service.orders.service import public_fields
from service.outbox.repository import OutboxEvent

T0 = datetime(2026, 11, 25, 10, 15, 0, 123456, tzinfo=UTC)


def record(customer: str, **fields) -> OrderRecord:
    values = {
        "id": uuid.uuid4(),
        "customer_id": customer,
        "amount_cents": 2599,
        "currency": "EUR",
        "status": "pending",
        "statement_descriptor": "Annual subscription",
        "metadata": {"invoice": "INV-1", "ключ": "значение"},
        "payment_method": {"type": "bank_transfer", "iban": "GB33BUKB20201555555555"},
        "risk_score": 42,
        "created_at": T0,
        "updated_at": T0,
    }
    return OrderRecord(**(values | fields))


async def test_orders_round_trip_every_column(units, customer):
    order = record(customer)
    async with units(write=True) as unit:
        await unit.orders.insert(order)
    async with units(write=False) as unit:
        assert await unit.orders.get(order.id, customer) == order
        assert await unit.orders.get(order.id, "cus_someone_else") is None
        public = await unit.orders.get_public(order.id, customer)
        assert await unit.orders.get_public(order.id, "cus_someone_else") is None

    # Every public field, in the spec's order; risk_score stays in the database.
    assert public is not None
    assert list(public) == list(PUBLIC_COLUMNS)
    assert public == {**public_fields(order), "id": str(order.id)}


async def test_a_transition_needs_the_source_status(units, customer):
    order = record(customer)
    later = T0 + timedelta(minutes=5)
    async with units(write=True) as unit:
        await unit.orders.insert(order)
        wrong = await unit.orders.transition(
            order.id, customer, source="paid", target="refunded", at=later
        )
        moved = await unit.orders.transition(
            order.id, customer, source="pending", target="cancelled", at=later
        )
        again = await unit.orders.transition(
            order.id, customer, source="pending", target="cancelled", at=later
        )

    assert wrong is None and again is None
    assert moved is not None
    assert (moved["status"], moved["updated_at"], moved["created_at"]) == ("cancelled", later, T0)


async def test_pages_follow_created_at_then_id_descending(units, customer):
    # Equal created_at values: the id breaks the tie, in the same order on both databases.
    orders = [record(customer, created_at=T0 + timedelta(seconds=i // 4)) for i in range(12)]
    async with units(write=True) as unit:
        for order in orders:
            await unit.orders.insert(order)
    expected = [str(o.id) for o in sorted(orders, key=lambda o: (o.created_at, o.id), reverse=True)]

    seen, after = [], None
    async with units(write=False) as unit:
        while True:
            page = await unit.orders.page(customer, after=after, limit=5)
            seen += [item["id"] for item in page.orders]
            if page.next_after is None:
                break
            after = page.next_after

    assert seen == expected


async def test_a_page_ending_exactly_at_the_last_order_has_no_next(units, customer):
    async with units(write=True) as unit:
        for _ in range(4):
            await unit.orders.insert(record(customer))
    async with units(write=False) as unit:
        page = await unit.orders.page(customer, after=None, limit=4)
        first = await unit.orders.page(customer, after=None, limit=3)

    assert len(page.orders) == 4 and page.next_after is None
    assert isinstance(first.next_after, Keyset)


async def test_idempotency_keys_lock_store_replace_and_purge(units, customer):
    key = secrets.token_hex(4)
    stored = StoredResponse(customer, key, "f" * 64, 201, '{"a":1}', T0, T0 + timedelta(hours=24))
    async with units(write=True) as unit:
        assert await unit.idempotency.try_lock(customer, key)
        assert await unit.idempotency.find(customer, key) is None
        await unit.idempotency.save(stored)
    async with units(write=True) as unit:
        assert await unit.idempotency.find(customer, key) == stored
        replaced = StoredResponse(customer, key, "e" * 64, 201, "{}", T0, T0 + timedelta(hours=48))
        await unit.idempotency.save(replaced)
    async with units(write=True) as unit:
        assert await unit.idempotency.find(customer, key) == replaced
        assert await unit.idempotency.purge_expired(T0 + timedelta(hours=47), limit=10_000) >= 0
        assert await unit.idempotency.find(customer, key) == replaced
        assert await unit.idempotency.purge_expired(T0 + timedelta(hours=48), limit=10_000) >= 1
        assert await unit.idempotency.find(customer, key) is None


async def test_a_failed_unit_rolls_back_everything(units, customer):
    order = record(customer)

    async def insert_then_fail() -> None:
        async with units(write=True) as unit:
            await unit.orders.insert(order)
            raise RuntimeError("after the insert")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    async with units(write=False) as unit:
        assert await unit.orders.get(order.id, customer) is None


async def test_outbox_events_are_queued_pending(units, database):
    event = OutboxEvent(uuid.uuid4(), "order.created", uuid.uuid4(), '{"id": "x"}', T0)
    async with units(write=True) as unit:
        await unit.outbox.add(event)

    async with database.transaction(write=False) as session:
        row = await session.fetch_one(
            Sql.portable(
                "SELECT event_type, payload, status, attempts, created_at, available_at, "
                "delivered_at FROM outbox_events WHERE id = $1"
            ),
            event.id,
        )
    assert row is not None
    assert (row["event_type"], orjson.loads(row["payload"])) == ("order.created", {"id": "x"})
    assert (row["status"], row["attempts"], row["delivered_at"]) == ("pending", 0, None)
    assert session.to_datetime(row["created_at"]) == session.to_datetime(row["available_at"]) == T0
