"""The public JSON of an order, written without a model, is what the generated model writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from generated import models
from service.orders.repository import PUBLIC_COLUMNS
from service.orders.service import render

PUBLIC = {
    "id": str(uuid.UUID(int=7)),
    "customer_id": "cus_123",
    "amount_cents": 2599,
    "currency": "EUR",
    "status": "pending",
    "description": 'Annual – subscription "x" \u2028',
    "metadata": {"invoice": "INV-1", "ü": "\n"},
    "payment_method": {"type": "card", "token": "tok_4242abcd"},
    "created_at": datetime(2026, 11, 25, 10, 15, 0, 123456, tzinfo=UTC),
    "updated_at": datetime(2026, 11, 25, 10, 15, 1, tzinfo=UTC),
}


def test_the_projection_is_the_order_schema_in_its_order():
    assert tuple(models.Order.model_fields) == PUBLIC_COLUMNS


@pytest.mark.parametrize(
    "changes",
    [{}, {"description": None, "payment_method": None, "metadata": {}}],
    ids=["full", "nulls"],
)
def test_render_writes_what_pydantic_writes(changes):
    public = {**PUBLIC, **changes}
    model = models.Order.model_validate(public)

    assert render(public) == model.__pydantic_serializer__.to_json(model, by_alias=True)


def test_a_page_renders_its_orders_and_cursor_in_one_document():
    page = {"data": [PUBLIC, PUBLIC], "next_cursor": "abc"}
    model = models.OrderPage.model_validate(page)

    assert render(page) == model.__pydantic_serializer__.to_json(model, by_alias=True)
