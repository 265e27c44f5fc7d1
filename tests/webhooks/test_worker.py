"""The worker's guarantees on both databases: atomic events, leases, shutdown, several workers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
import pytest_asyncio

from generated import models
from service.app import create_app
from service.db.unit import Units
from service.idempotency.repository import SqlIdempotencyRepository
from service.kit.clock import SystemClock, Uuid7Generator
from service.kit.db import Database, Sql, open_database
from service.kit.pagination import CursorCodec
from service.orders.repository import SqlOrdersRepository
from service.orders.service import OrdersService
from service.outbox.repository import OutboxEvent, SqlOutboxRepository
from service.webhooks.sender import create_client
from service.webhooks.worker import INTERRUPTED, SHUT_DOWN
from tests.fixtures.service import make_settings, order_body, serve, token
from tests.webhooks.conftest import FAST, eventually, worker_for


@dataclass
class Fresh:
    client: httpx.AsyncClient
    auth: Callable[[str], dict[str, str]]
    units: Units
    url: str
    database: Database


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


@pytest_asyncio.fixture
async def fresh(scratch_database_url):
    """An app, its client and units on a database of the test's own (no one else's queue)."""
    settings = make_settings(scratch_database_url)
    database = open_database(settings)
    await database.start()

    def auth(customer: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(settings, customer)}"}

    async with serve(create_app(settings)) as client:
        yield Fresh(client, auth, Units(database), scratch_database_url, database)
    await database.stop()


@pytest_asyncio.fixture
async def http():
    async with create_client(make_settings("sqlite:///unused.db", **FAST)) as client:
        yield client


async def setup(client, auth, receiver, path, customer="cus_w", orders=1):
    created = await client.post(
        "/v1/webhook-endpoints",
        json={"url": receiver.url(path), "event_types": ["order.created"]},
        headers=auth(customer),
    )
    endpoint = created.json()
    for _ in range(orders):
        headers = {**auth(customer), "Idempotency-Key": uuid.uuid4().hex}
        response = await client.post("/v1/orders", json=order_body(customer), headers=headers)
        assert response.status_code == 201
    return endpoint


async def history(client, auth, endpoint, customer="cus_w"):
    response = await client.get(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries",
        params={"limit": 100},
        headers=auth(customer),
    )
    return response.json()["data"]


# The customer's outbox events, seen from inside a transaction or after it.
CUSTOMER_EVENTS = Sql(
    pg="SELECT count(*) AS n FROM outbox_events WHERE payload->>'customer_id' = $1",
    sqlite="SELECT count(*) AS n FROM outbox_events WHERE json_extract(payload, '$.customer_id') = ?1",
)


async def test_rolling_back_the_orders_transaction_leaves_no_event(database, customer):
    orders = OrdersService(
        clock=SystemClock(),
        ids=Uuid7Generator(),
        cursors=CursorCodec(b"k"),
        idempotency_ttl=timedelta(hours=1),
    )
    inside: list[int] = []

    async def create_then_fail() -> None:
        async with database.transaction(write=True) as session:
            unit = SimpleNamespace(
                orders=SqlOrdersRepository(session),
                idempotency=SqlIdempotencyRepository(session),
                outbox=SqlOutboxRepository(session),
            )
            body = models.OrderCreate(**order_body(customer))
            await orders.create(unit, caller=customer, key="k1", body=body)
            row = await session.fetch_one(CUSTOMER_EVENTS, customer)
            inside.append(row["n"] if row is not None else 0)
            raise RuntimeError("after the write")

    with pytest.raises(RuntimeError, match="after the write"):
        await create_then_fail()

    assert inside == [1]  # the event was written in the order's transaction ...
    async with database.transaction(write=False) as session:
        row = await session.fetch_one(CUSTOMER_EVENTS, customer)
    assert row is not None and row["n"] == 0  # ... and went with it


async def test_a_lost_lease_is_reclaimed_and_resent_with_the_same_webhook_id(
    fresh, receiver, hook, http
):
    client, auth, units, url = fresh.client, fresh.auth, fresh.units, fresh.url
    endpoint = await setup(client, auth, receiver, hook("ok"))
    t0 = datetime.now(UTC)
    first = worker_for(url, units, http, clock=FakeClock(t0))
    # Another worker, whose clock is past the first one's lease.
    after_lease = FakeClock(t0 + timedelta(seconds=FAST["webhooks_lease_seconds"] + 1))
    later = worker_for(url, units, http, clock=after_lease)

    await first.dispatch()
    (held,) = await first.claim(10)
    (taken,) = await later.claim(10)
    assert (taken.id, taken.attempt) == (held.id, 2)

    await later.deliver(taken)  # the new holder settles it
    await first.deliver(held)  # the old one comes back late: recorded, settles nothing

    requests = receiver.at(hook("ok"))
    assert [r.webhook_id for r in requests] == [str(held.id)] * 2
    (delivery,) = await history(client, auth, endpoint)
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 2
    errors = sorted((a["number"], a["error"] or "") for a in delivery["attempts"])
    assert errors == [(1, ""), (1, INTERRUPTED), (2, "")]


async def test_a_claim_within_the_lease_takes_nothing(fresh, receiver, hook, http):
    client, auth, units, url = fresh.client, fresh.auth, fresh.units, fresh.url
    await setup(client, auth, receiver, hook("ok"))
    t0 = datetime.now(UTC)
    first = worker_for(url, units, http, clock=FakeClock(t0))
    second = worker_for(url, units, http, clock=FakeClock(t0 + timedelta(seconds=1)))

    await first.dispatch()
    assert len(await first.claim(10)) == 1
    assert await second.claim(10) == []


async def test_an_interrupted_last_attempt_fails_the_delivery(fresh, receiver, hook, http):
    client, auth, units, url = fresh.client, fresh.auth, fresh.units, fresh.url
    endpoint = await setup(client, auth, receiver, hook("ok"))
    t0 = datetime.now(UTC)
    first = worker_for(url, units, http, clock=FakeClock(t0), webhooks_max_attempts=1)
    after = FakeClock(t0 + timedelta(seconds=FAST["webhooks_lease_seconds"] + 1))
    second = worker_for(url, units, http, clock=after, webhooks_max_attempts=1)

    await first.dispatch()
    await first.claim(10)
    assert await second.claim(10) == []

    (delivery,) = await history(client, auth, endpoint)
    assert delivery["status"] == "failed"
    assert delivery["last_error"] == INTERRUPTED
    assert receiver.at(hook("ok")) == []


async def stopped_mid_attempt(fresh, receiver, http, path: str, grace: float) -> dict:
    """Stop a worker while the receiver at `path` is still answering; the delivery afterwards."""
    client, auth = fresh.client, fresh.auth
    endpoint = await setup(client, auth, receiver, path)
    worker = worker_for(fresh.url, fresh.units, http, webhooks_shutdown_grace_seconds=grace)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await receiver.wait_for(path, 1)

    stop.set()
    await asyncio.wait_for(task, 5)

    (delivery,) = await history(client, auth, endpoint)
    return delivery


async def test_shutdown_hands_back_an_attempt_still_waiting_after_the_grace_period(
    fresh, receiver, hook, http
):
    delivery = await stopped_mid_attempt(fresh, receiver, http, hook("slow-5000"), grace=0.2)

    assert delivery["status"] == "pending"
    assert delivery["attempts"][0]["error"] == SHUT_DOWN
    due = datetime.fromisoformat(delivery["next_attempt_at"])
    assert due <= datetime.now(UTC)  # due at once for the next worker, not after a backoff


async def test_shutdown_lets_an_attempt_in_flight_finish(fresh, receiver, hook, http):
    delivery = await stopped_mid_attempt(fresh, receiver, http, hook("slow-300"), grace=5)

    assert delivery["status"] == "succeeded"


async def test_workers_running_at_once_send_each_delivery_once(fresh, receiver, hook, http):
    client, auth, units, url = fresh.client, fresh.auth, fresh.units, fresh.url
    endpoint = await setup(client, auth, receiver, hook("jitter-20"), orders=40)
    workers = [
        worker_for(url, units, http, webhooks_concurrency=4, webhooks_dispatch_batch=5)
        for _ in range(3)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        await receiver.wait_for(hook("jitter-20"), 40)

        async def all_settled():
            found = await history(client, auth, endpoint)
            return all(d["status"] == "succeeded" for d in found) and len(found) == 40

        await eventually(all_settled)
    finally:
        stop.set()
        await asyncio.gather(*tasks)

    by_id = receiver.by_webhook_id(hook("jitter-20"))
    assert len(by_id) == 40
    assert all(len(requests) == 1 for requests in by_id.values())


async def test_an_event_no_payload_describes_is_marked_failed(fresh, http):
    units, url, database = fresh.units, fresh.url, fresh.database
    event = OutboxEvent(uuid.uuid4(), "order.teleported", uuid.uuid4(), "{}", datetime.now(UTC))
    async with units(write=True) as unit:
        await unit.outbox.add(event)

    await worker_for(url, units, http).dispatch()

    async with database.transaction(write=False) as session:
        row = await session.fetch_one(
            Sql.portable("SELECT status, last_error FROM outbox_events WHERE id = $1"), event.id
        )
    assert row is not None
    assert row["status"] == "failed"
    assert "order.teleported" in row["last_error"]
