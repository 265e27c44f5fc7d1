"""The async Python client against the real service: create, replay, get, pages, an error."""

from __future__ import annotations

import uuid

import pytest
from harbor_client import AsyncHarborClient, NotFoundError, models


def new_order(customer: str, amount: int) -> models.OrderCreate:
    return models.OrderCreate(customer_id=customer, amount_cents=amount, currency="EUR")


async def test_create_replay_get_and_every_page(
    async_harbor: AsyncHarborClient, customer: str
) -> None:
    key = str(uuid.uuid4())
    first = await async_harbor.create_order(new_order(customer, 7), idempotency_key=key)
    replay = await async_harbor.create_order(new_order(customer, 7), idempotency_key=key)
    assert (first.status_code, replay.status_code) == (201, 200) and replay.data == first.data
    assert await async_harbor.get_order(first.data.id) == first.data
    for amount in range(1, 5):
        await async_harbor.create_order(new_order(customer, amount))
    pages = [
        page async for page in async_harbor.iter_list_customer_orders(customer, limit=2).pages()
    ]
    items = [order async for order in async_harbor.iter_list_customer_orders(customer, limit=2)]
    assert [len(page.data) for page in pages] == [2, 2, 1]
    assert len({order.id for order in items}) == 5 and items[-1].id == first.data.id


async def test_an_unknown_order_raises_not_found(async_harbor: AsyncHarborClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await async_harbor.get_order(uuid.uuid4())
    assert caught.value.request_id
