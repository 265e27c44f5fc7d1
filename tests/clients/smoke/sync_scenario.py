"""The smoke scenario on `HarborClient` (the async one is async_scenario.py)."""

from __future__ import annotations

import uuid
from typing import assert_type

import pytest
from harbor_client import HarborClient, NotFoundError, UnprocessableContentError, models

from tests.clients.smoke.events import INVALID, check_deliveries, check_invalid
from tests.clients.webhook_worker import Receiver


def run(client: HarborClient, customer: str, receiver: Receiver) -> None:
    hook = client.webhooks.create_endpoint(
        url=f"{receiver.url}/{customer}", event_types=["order.created", "order.cancelled"]
    )
    key = f"smoke-{customer}"
    created = client.orders.create(
        customer_id=customer, amount_cents=2599, currency="EUR", idempotency_key=key
    )
    assert created.status_code == 201 and created.request_id
    replayed = client.orders.create(
        customer_id=customer, amount_cents=2599, currency="EUR", idempotency_key=key
    )
    assert (replayed.status_code, replayed.data) == (200, created.data)
    order = client.orders.get(created.data.id)
    assert_type(order, models.Order)
    assert order == created.data
    later = [
        client.orders.create(customer_id=customer, amount_cents=n, currency="EUR").data.id
        for n in (100, 200)
    ]
    listed = client.customers.orders.iter_list(customer, limit=2)
    assert [o.id for o in listed] == [*reversed(later), order.id]  # newest first, every page
    assert len(list(listed.pages())) == 2
    cancelled = client.orders.cancel(order.id)
    assert cancelled.status == models.OrderStatus.CANCELLED
    with pytest.raises(NotFoundError) as missing:
        client.orders.get(uuid.uuid4())
    assert missing.value.status == 404 and missing.value.request_id
    with pytest.raises(UnprocessableContentError) as invalid:
        client.orders.create(
            customer_id=customer, amount_cents=1, currency="EUR", extra_body=INVALID
        )
    check_invalid(invalid.value)
    deliveries = receiver.wait(f"/{customer}", count=4)
    check_deliveries(client.webhooks, deliveries, hook.secret, order.id)
