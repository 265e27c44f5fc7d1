"""The new surface (#20) against the real service: groups, keywords, raw responses, with_options."""

from __future__ import annotations

import pytest
from harbor_client import AsyncHarborClient, HarborClient, NotFoundError, models


def test_create_by_keywords_replay_and_read_raw(harbor: HarborClient, customer: str) -> None:
    card = {"type": "card", "token": "tok_4242abcd"}
    created = harbor.orders.create(
        customer_id=customer,
        amount_cents=700,
        currency="EUR",
        payment_method=card,
        idempotency_key=f"kw-{customer}",
    )
    assert created.status_code == 201
    assert isinstance(created.data.payment_method, models.CardPaymentMethod)
    replay = harbor.orders.create(
        models.OrderCreate.model_validate(
            {
                "customer_id": customer,
                "amount_cents": 700,
                "currency": "EUR",
                "payment_method": card,
            }
        ),
        idempotency_key=f"kw-{customer}",
    )
    assert (replay.status_code, replay.data.id) == (200, created.data.id)
    raw = harbor.with_raw_response.orders.get(created.data.id)
    assert raw.status_code == 200 and raw.request_id == raw.headers["X-Request-ID"]
    assert raw.data == created.data
    listed = list(harbor.with_options(timeout=10.0).orders.iter_list_customer_orders(customer))
    assert [o.id for o in listed] == [created.data.id]


def test_a_raw_call_still_raises_the_typed_error(harbor: HarborClient) -> None:
    with pytest.raises(NotFoundError):
        harbor.with_raw_response.orders.get("4f1c2d7e-8b9a-4c3d-9e2f-000000000000")  # type: ignore[arg-type]


async def test_the_async_groups_against_the_service(
    async_harbor: AsyncHarborClient, customer: str
) -> None:
    created = await async_harbor.orders.create(customer_id=customer, amount_cents=5, currency="EUR")
    cancelled = await async_harbor.with_options(max_retries=0).orders.cancel(created.data.id)
    assert cancelled.status == models.OrderStatus.CANCELLED
