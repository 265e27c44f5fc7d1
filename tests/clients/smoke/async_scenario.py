"""The smoke scenario on `AsyncHarborClient` (the same steps as sync_scenario.py, awaited)."""

from __future__ import annotations

import asyncio
import uuid
from typing import assert_type

import pytest
from harbor_client import AsyncHarborClient, NotFoundError, UnprocessableContentError, models

from tests.clients.smoke.events import INVALID, check_deliveries, check_invalid
from tests.clients.webhook_worker import Receiver


async def run(client: AsyncHarborClient, customer: str, receiver: Receiver) -> None:
    hook = await client.webhooks.create_endpoint(
        url=f"{receiver.url}/{customer}", event_types=["order.created", "order.cancelled"]
    )
    key = f"smoke-{customer}"
    created = await client.orders.create(
        customer_id=customer, amount_cents=2599, currency="EUR", idempotency_key=key
    )
    assert created.status_code == 201 and created.request_id
    replayed = await client.orders.create(
        customer_id=customer, amount_cents=2599, currency="EUR", idempotency_key=key
    )
    assert (replayed.status_code, replayed.data) == (200, created.data)
    order = await client.orders.get(created.data.id)
    assert_type(order, models.Order)
    assert order == created.data
    later = [
        (await client.orders.create(customer_id=customer, amount_cents=n, currency="EUR")).data.id
        for n in (100, 200)
    ]
    listed = client.customers.orders.iter_list(customer, limit=2)
    assert [o.id async for o in listed] == [*reversed(later), order.id]
    assert len([page async for page in listed.pages()]) == 2
    cancelled = await client.orders.cancel(order.id)
    assert cancelled.status == models.OrderStatus.CANCELLED
    with pytest.raises(NotFoundError) as missing:
        await client.orders.get(uuid.uuid4())
    assert missing.value.status == 404 and missing.value.request_id
    with pytest.raises(UnprocessableContentError) as invalid:
        await client.orders.create(
            customer_id=customer, amount_cents=1, currency="EUR", extra_body=INVALID
        )
    check_invalid(invalid.value)
    deliveries = await asyncio.to_thread(receiver.wait, f"/{customer}", 4)
    check_deliveries(client.webhooks, deliveries, hook.secret, order.id)
