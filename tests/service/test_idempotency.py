"""Idempotency keys: replay, mismatch, scope per caller, in flight, expiry and cleanup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from service.app import create_app
from service.db.unit import Units
from service.idempotency.cleanup import purge_expired
from service.idempotency.repository import lock_id
from service.kit.db import Sql
from tests.fixtures.databases import POSTGRES
from tests.fixtures.service import order_body, serve


async def count_orders(database, customer: str) -> int:
    async with database.transaction(write=False) as session:
        row = await session.fetch_one(
            Sql.portable("SELECT count(*) AS n FROM orders WHERE customer_id = $1"), customer
        )
    assert row is not None
    return int(row["n"])


async def test_same_key_and_body_replays_the_stored_response(create_order, customer, database):
    first = await create_order(customer, key="replay-1")
    second = await create_order(customer, key="replay-1")
    third = await create_order(customer, key="replay-1")

    assert first.status_code == 201
    assert second.status_code == third.status_code == 200
    assert second.content == third.content == first.content
    # The replay names the order as the creation did and says it created nothing now.
    assert second.headers["location"] == third.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count_orders(database, customer) == 1


async def test_a_replay_ignores_key_order_whitespace_and_explicit_defaults(client, auth, customer):
    headers = {**auth(customer), "Idempotency-Key": "canonical", "Content-Type": "application/json"}
    compact = b'{"customer_id":"%s","amount_cents":5,"currency":"EUR"}' % customer.encode()
    spaced = (
        b'{ "currency": "EUR", "statement_descriptor": null,\n "amount_cents": 5, "customer_id": "%s" }'
        % (customer.encode())
    )

    first = await client.post("/v1/orders", content=compact, headers=headers)
    second = await client.post("/v1/orders", content=spaced, headers=headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.content == second.content


async def test_same_key_with_another_body_is_422(create_order, customer, database):
    await create_order(customer, key="mismatch")

    response = await create_order(customer, key="mismatch", amount_cents=1)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/idempotency-key-reused")
    assert "different request body" in problem["detail"]
    assert await count_orders(database, customer) == 1


async def test_keys_are_scoped_to_the_caller(create_order, customer):
    other = f"{customer}_b"

    mine = await create_order(customer, key="shared-key")
    theirs = await create_order(other, key="shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


async def test_a_failed_request_does_not_burn_the_key(client, auth, create_order, customer):
    headers = {**auth(customer), "Idempotency-Key": "after-403"}
    refused = await client.post("/v1/orders", json=order_body("cus_other"), headers=headers)

    accepted = await create_order(customer, key="after-403")

    assert (refused.status_code, accepted.status_code) == (403, 201)


async def test_concurrent_requests_with_one_key_create_one_order(create_order, customer, database):
    responses = await asyncio.gather(*(create_order(customer, key="race") for _ in range(20)))

    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 201, 409}
    assert statuses.count(201) == 1
    assert len({r.content for r in responses if r.status_code < 300}) == 1
    assert await count_orders(database, customer) == 1


class SteppingClock:
    def __init__(self) -> None:
        self.current = datetime.now(UTC)

    def now(self) -> datetime:
        return self.current


async def test_keys_expire_and_the_cleanup_removes_them(settings, auth, customer, database):
    clock = SteppingClock()
    app = create_app(settings, clock=clock)
    headers = {**auth(customer), "Idempotency-Key": "expiring"}
    async with serve(app) as client:
        first = await client.post("/v1/orders", json=order_body(customer), headers=headers)
        clock.current += timedelta(seconds=settings.idempotency_ttl_seconds - 1)
        replay = await client.post("/v1/orders", json=order_body(customer), headers=headers)
        clock.current += timedelta(seconds=2)
        # Expired: the key is free again, even for another body.
        fresh = await client.post(
            "/v1/orders", json=order_body(customer, amount_cents=7), headers=headers
        )
        clock.current += timedelta(seconds=settings.idempotency_ttl_seconds + 1)

    assert (first.status_code, replay.status_code, fresh.status_code) == (201, 200, 201)
    deleted = await purge_expired(Units(database), clock)
    assert deleted >= 1
    async with database.transaction(write=False) as session:
        left = await session.fetch_one(
            Sql.portable("SELECT count(*) AS n FROM idempotency_keys WHERE customer_id = $1"),
            customer,
        )
    assert left is not None and left["n"] == 0


# In flight is observable on PostgreSQL only: SQLite serialises writers instead.
@pytest.mark.parametrize("database_url", [POSTGRES], indirect=True)
async def test_a_key_still_in_flight_is_409(create_order, customer, settings):
    assert settings.database_url.startswith("postgresql")
    holder = await asyncpg.connect(settings.database.target)
    try:
        async with holder.transaction():
            await holder.execute("SELECT pg_advisory_xact_lock($1)", lock_id(customer, "busy"))
            blocked = await create_order(customer, key="busy")
        released = await create_order(customer, key="busy")
    finally:
        await holder.close()

    assert blocked.status_code == 409
    assert blocked.json()["type"].endswith("/idempotency-key-in-flight")
    assert released.status_code == 201


def test_lock_ids_are_signed_64_bit_and_scoped():
    assert -(2**63) <= lock_id("cus_1", "k") < 2**63
    assert lock_id("cus_1", "k") != lock_id("cus_2", "k")
    assert lock_id("cus_1", "k") == lock_id("cus_1", "k")
    # The separator keeps ("a", "bc") and ("ab", "c") apart.
    assert lock_id("a", "bc") != lock_id("ab", "c")
