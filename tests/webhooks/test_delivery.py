"""End to end: orders through the API, the worker, a receiver on 127.0.0.1, the delivery history."""

from __future__ import annotations

import secrets
import uuid

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from service.kit.db import Sql
from service.webhooks.signing import new_secret
from tests.fixtures.service import order_body
from tests.webhooks.conftest import eventually


async def deliveries(client, auth, customer, endpoint_id, **params):
    response = await client.get(
        f"/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=auth(customer), params=params
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def settled(client, auth, customer, endpoint_id, count=1):
    async def probe():
        found = await deliveries(client, auth, customer, endpoint_id)
        done = [d for d in found if d["status"] in ("succeeded", "failed")]
        return found if len(done) >= count else None

    return probe


async def test_an_order_creation_is_delivered_signed(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    endpoint = await register(customer, hook("ok"))
    order = (await create_order(customer)).json()

    async with running_worker():
        (request,) = await receiver.wait_for(hook("ok"), 1)
        await eventually(settled(client, auth, customer, endpoint["id"]))

    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "order.created"
    assert payload["data"] == order  # the public order: no internal field such as risk_score
    assert set(payload) == {"id", "type", "timestamp", "data"}
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, request.headers)
    tampered = request.body.replace(b'"pending"', b'"paid"')
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(tampered, request.headers)

    (delivery,) = await deliveries(client, auth, customer, endpoint["id"])
    assert delivery["id"] == request.webhook_id
    assert delivery["event_id"] == payload["id"]
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 1
    assert delivery["attempts"][0]["status_code"] == 204


async def test_a_customer_pinned_to_an_old_version_gets_its_payloads_in_that_version(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    pin = await client.put(
        f"/v1/customers/{customer}/api-version", json={"version": "1.1.0"}, headers=auth(customer)
    )
    assert pin.status_code == 200, pin.text
    endpoint = await register(customer, hook("old"))
    # The pin answers the API calls too: the request and the response are in the 1.1.0 shape.
    body = {k: v for k, v in order_body(customer).items() if k != "statement_descriptor"}
    headers = {**auth(customer), "Idempotency-Key": secrets.token_hex(8)}
    created = await client.post("/v1/orders", json={**body, "description": "Gym"}, headers=headers)
    order = created.json()
    assert order["description"] == "Gym", created.text

    async with running_worker():
        (request,) = await receiver.wait_for(hook("old"), 1)
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["data"]["description"] == "Gym"
    assert "statement_descriptor" not in payload["data"]


async def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_attempt(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    endpoint = await register(customer, hook("fail-3"))
    await create_order(customer)

    async with running_worker():
        requests = await receiver.wait_for(hook("fail-3"), 4)
        await eventually(settled(client, auth, customer, endpoint["id"]))

    assert len({r.webhook_id for r in requests}) == 1  # every retry is the same delivery
    assert len({r.body for r in requests}) == 1  # with the same bytes
    for request in requests:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)
    (delivery,) = await deliveries(client, auth, customer, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 4
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 500, 204]
    assert [a["number"] for a in delivery["attempts"]] == [1, 2, 3, 4]
    assert delivery["attempts"][0]["error"].startswith("status 500")
    assert delivery["attempts"][-1]["error"] is None
    assert delivery["completed_at"] is not None and delivery["next_attempt_at"] is None


async def test_a_receiver_that_always_fails_ends_failed_after_the_limit(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    endpoint = await register(customer, hook("fail"))
    await create_order(customer)

    async with running_worker(webhooks_max_attempts=3):
        await eventually(settled(client, auth, customer, endpoint["id"]))

    assert len(receiver.at(hook("fail"))) == 3
    (failed,) = await deliveries(client, auth, customer, endpoint["id"], status="failed")
    assert failed["attempt_count"] == 3
    assert failed["last_status_code"] == 500
    assert failed["last_error"].startswith("status 500")
    assert failed["next_attempt_at"] is None
    assert [a["status_code"] for a in failed["attempts"]] == [500, 500, 500]
    assert await deliveries(client, auth, customer, endpoint["id"], status="succeeded") == []

    one = await client.get(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{failed['id']}", headers=auth(customer)
    )
    assert one.status_code == 200
    assert one.json() == failed


async def test_each_endpoint_gets_only_the_event_types_it_subscribed_to(
    client, auth, customer, create_order, register, receiver, hook, running_worker
):
    everything = await register(customer, hook("ok"))
    cancellations = await register(customer, hook("slow-1"), ["order.cancelled"])
    order = (await create_order(customer)).json()
    await client.post(f"/v1/orders/{order['id']}/cancel", headers=auth(customer))

    async with running_worker():
        await receiver.wait_for(hook("ok"), 2)
        (cancelled,) = await receiver.wait_for(hook("slow-1"), 1)
        await eventually(settled(client, auth, customer, everything["id"], count=2))

    events = [
        Webhook(everything["secret"]).verify(r.body, r.headers) for r in receiver.at(hook("ok"))
    ]
    assert sorted(e["type"] for e in events) == ["order.cancelled", "order.created"]
    payload = Webhook(cancellations["secret"]).verify(cancelled.body, cancelled.headers)
    assert payload["type"] == "order.cancelled"
    assert payload["data"]["status"] == "cancelled"
    # One event, one id, for every endpoint that receives it; one webhook-id per delivery.
    same = next(e for e in events if e["type"] == "order.cancelled")
    assert same["id"] == payload["id"]
    assert cancelled.webhook_id not in {r.webhook_id for r in receiver.at(hook("ok"))}


async def test_events_of_other_customers_are_not_delivered(
    customer, create_order, register, receiver, hook, running_worker
):
    await register(customer, hook("ok"))
    await create_order(f"{customer}_other")
    await create_order(customer)

    async with running_worker():
        (request,) = await receiver.wait_for(hook("ok"), 1)

    assert customer.encode() in request.body
    assert len(receiver.at(hook("ok"))) == 1


async def test_a_deleted_endpoint_gets_nothing_more(
    client, auth, customer, create_order, register, receiver, hook, running_worker, database
):
    endpoint = await register(customer, hook("ok"))
    await create_order(customer)
    async with running_worker():
        await receiver.wait_for(hook("ok"), 1)

    deleted = await client.delete(f"/v1/webhook-endpoints/{endpoint['id']}", headers=auth(customer))
    assert deleted.status_code == 204
    later = (await create_order(customer)).json()
    async with running_worker():
        await eventually(lambda: outbox_status(database, later["id"]), every=0.02)

    assert await outbox_status(database, later["id"]) == "delivered"
    assert len(receiver.at(hook("ok"))) == 1
    gone = await client.get(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=auth(customer)
    )
    assert gone.status_code == 404


async def outbox_status(database, order_id: str) -> str | None:
    """The status of the order's outbox event once the worker has handed it on, else None."""
    async with database.transaction(write=False) as session:
        row = await session.fetch_one(
            Sql.portable("SELECT status FROM outbox_events WHERE aggregate_id = $1"),
            uuid.UUID(order_id),
        )
    return None if row is None or row["status"] == "pending" else str(row["status"])
