"""Orders through HTTP: create, read, cancel, ownership, and what never leaves the server."""

from __future__ import annotations

import uuid

import orjson
import pytest

from service.kit.db import Sql
from tests.fixtures.service import order_body


async def test_create_returns_201_with_location_and_the_public_order(create_order, customer):
    response = await create_order(customer, metadata={"invoice": "INV-9"})

    assert response.status_code == 201
    order = response.json()
    assert response.headers["location"] == f"/v1/orders/{order['id']}"
    assert order["customer_id"] == customer
    assert order["status"] == "pending"
    assert order["amount_cents"] == 2599
    assert order["metadata"] == {"invoice": "INV-9"}
    assert order["payment_method"] == {"type": "card", "token": "tok_4242abcd"}
    assert order["created_at"] == order["updated_at"]
    assert order["created_at"].endswith("Z")


async def test_internal_columns_are_stored_but_never_serialised(create_order, customer, units):
    created = (await create_order(customer)).json()
    assert "risk_score" not in created

    async with units(write=False) as unit:
        record = await unit.orders.get(uuid.UUID(created["id"]), customer)
    assert record is not None
    assert 0 <= record.risk_score <= 100


async def test_optional_fields_default_to_null_and_empty(client, auth, customer):
    body = {"customer_id": customer, "amount_cents": 1, "currency": "USD"}
    headers = {**auth(customer), "Idempotency-Key": "minimal"}

    order = (await client.post("/v1/orders", json=body, headers=headers)).json()

    assert order["statement_descriptor"] is None
    assert order["metadata"] == {}
    assert order["payment_method"] is None


async def test_get_returns_the_same_order(client, auth, create_order, customer):
    created = (await create_order(customer)).json()

    response = await client.get(f"/v1/orders/{created['id']}", headers=auth(customer))

    assert response.status_code == 200
    assert response.json() == created


async def test_creating_for_another_customer_is_403(client, auth, customer):
    headers = {**auth(customer), "Idempotency-Key": "k"}

    response = await client.post("/v1/orders", json=order_body("cus_other"), headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/forbidden")


async def test_another_customers_order_is_404_like_an_unknown_one(
    client, auth, create_order, customer
):
    created = (await create_order(customer)).json()
    stranger = auth("cus_stranger")

    foreign = await client.get(f"/v1/orders/{created['id']}", headers=stranger)
    unknown = await client.get(f"/v1/orders/{uuid.uuid4()}", headers=stranger)
    cancel = await client.post(f"/v1/orders/{created['id']}/cancel", headers=stranger)

    assert foreign.status_code == unknown.status_code == cancel.status_code == 404
    assert foreign.json()["title"] == unknown.json()["title"] == "Not found"
    # The order is untouched by the stranger's cancel.
    mine = await client.get(f"/v1/orders/{created['id']}", headers=auth(customer))
    assert mine.json()["status"] == "pending"


async def test_listing_another_customers_orders_is_404(client, auth, create_order, customer):
    await create_order(customer)

    response = await client.get(f"/v1/customers/{customer}/orders", headers=auth("cus_stranger"))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_cancel_moves_pending_to_cancelled_once(client, auth, create_order, customer):
    created = (await create_order(customer)).json()
    url = f"/v1/orders/{created['id']}/cancel"

    first = await client.post(url, headers=auth(customer))
    second = await client.post(url, headers=auth(customer))

    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert first.json()["updated_at"] >= created["updated_at"]
    assert second.status_code == 409
    assert second.json()["type"].endswith("/order-not-cancellable")
    assert "is cancelled" in second.json()["detail"]


@pytest.mark.parametrize("status", ["paid", "refunded"])
async def test_only_pending_orders_can_be_cancelled(
    client, auth, create_order, customer, units, status
):
    created = (await create_order(customer)).json()
    order_id = uuid.UUID(created["id"])
    async with units(write=True) as unit:
        moved = await unit.orders.transition(
            order_id, customer, source="pending", target=status, at=created_at(created)
        )
    assert moved is not None

    response = await client.post(f"/v1/orders/{order_id}/cancel", headers=auth(customer))

    assert response.status_code == 409
    assert f"is {status}" in response.json()["detail"]


async def test_cancelling_an_unknown_order_is_404(client, auth, customer):
    response = await client.post(f"/v1/orders/{uuid.uuid4()}/cancel", headers=auth(customer))

    assert response.status_code == 404


async def test_create_and_cancel_write_outbox_events_with_the_public_order(
    client, auth, create_order, customer, database
):
    created = (await create_order(customer)).json()
    cancelled = (
        await client.post(f"/v1/orders/{created['id']}/cancel", headers=auth(customer))
    ).json()

    async with database.transaction(write=False) as session:
        rows = await session.fetch_all(
            Sql.portable(
                "SELECT event_type, payload, status, attempts, delivered_at FROM outbox_events "
                "WHERE aggregate_id = $1 ORDER BY created_at, event_type DESC"
            ),
            uuid.UUID(created["id"]),
        )
    events = [(row["event_type"], orjson.loads(row["payload"])) for row in rows]

    assert events == [("order.created", created), ("order.cancelled", cancelled)]
    assert {(row["status"], row["attempts"], row["delivered_at"]) for row in rows} == {
        ("pending", 0, None)
    }


async def test_a_rejected_request_writes_nothing(client, auth, customer, database):
    headers = {**auth(customer), "Idempotency-Key": "rejected"}
    await client.post("/v1/orders", json=order_body("cus_other"), headers=headers)

    async with database.transaction(write=False) as session:
        row = await session.fetch_one(
            Sql.portable("SELECT count(*) AS n FROM idempotency_keys WHERE customer_id = $1"),
            customer,
        )
    assert row is not None and row["n"] == 0


def created_at(order: dict[str, str]):
    from datetime import datetime

    return datetime.fromisoformat(order["created_at"])
