"""The public JSON of an order, written without a model, is what the generated model writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from generated import models
from service.orders.projection import (
    ProjectionMismatch,
    check_projection,
    projection_problems,
    unset_left_out,
)
from service.orders.repository import PUBLIC_COLUMNS
from service.orders.service import render, render_page

PUBLIC = {
    "id": str(uuid.UUID(int=7)),
    "customer_id": "cus_123",
    "amount_cents": 2599,
    "currency": "EUR",
    "status": "pending",
    "statement_descriptor": 'Annual – subscription "x" \u2028',
    "metadata": {"invoice": "INV-1", "ü": "\n"},
    "payment_method": {"type": "card", "token": "tok_4242abcd"},
    "created_at": datetime(2026, 11, 25, 10, 15, 0, 123456, tzinfo=UTC),
    "updated_at": datetime(2026, 11, 25, 10, 15, 1, tzinfo=UTC),
}


class OrderWithRefunds(models.Order):
    """What a designer adding an optional `refunded_cents` to Order gets from `make generate`."""

    refunded_cents: int | None = None


OrderWithRefunds.model_rebuild(_types_namespace=vars(models))


def test_the_projection_is_the_order_schema_in_its_order():
    assert projection_problems(models.Order, PUBLIC_COLUMNS) == []


def test_a_new_spec_property_says_which_file_to_change_and_what_to_add():
    (problem,) = projection_problems(OrderWithRefunds, PUBLIC_COLUMNS)
    assert "`refunded_cents`" in problem
    assert "service/orders/repository.py" in problem and "PUBLIC_COLUMNS" in problem
    assert "migration" in problem
    with pytest.raises(ProjectionMismatch, match="refunded_cents"):
        check_projection(OrderWithRefunds, PUBLIC_COLUMNS)
    moved = (*PUBLIC_COLUMNS[1:], PUBLIC_COLUMNS[0])
    assert "in the spec's order" in projection_problems(models.Order, moved)[0]
    assert "no longer has" in projection_problems(models.Order, (*PUBLIC_COLUMNS, "gone"))[0]


def test_an_optional_property_without_a_value_is_left_out_not_null():
    present = unset_left_out(OrderWithRefunds)
    unset = {**PUBLIC, "refunded_cents": None}
    assert "refunded_cents" not in present(unset)
    assert present({**PUBLIC, "refunded_cents": 5})["refunded_cents"] == 5
    # A required nullable property keeps its null: the spec requires the member.
    assert present({**unset, "statement_descriptor": None})["statement_descriptor"] is None
    # What is left validates against the model, and writes what the model writes unset.
    model = OrderWithRefunds.model_validate(present(unset))
    assert "refunded_cents" not in model.model_dump(exclude_unset=True)


def test_a_model_without_optional_properties_renders_the_dict_as_it_is():
    assert unset_left_out(models.Order)(PUBLIC) is PUBLIC


@pytest.mark.parametrize(
    "changes",
    [{}, {"statement_descriptor": None, "payment_method": None, "metadata": {}}],
    ids=["full", "nulls"],
)
def test_render_writes_what_pydantic_writes(changes):
    public = {**PUBLIC, **changes}
    model = models.Order.model_validate(public)

    assert render(public) == model.__pydantic_serializer__.to_json(model, by_alias=True)


def test_a_page_renders_its_orders_and_cursor_in_one_document():
    page = {"data": [PUBLIC, PUBLIC], "next_cursor": "abc"}
    model = models.OrderPage.model_validate(page)

    assert render_page(page["data"], "abc") == model.__pydantic_serializer__.to_json(
        model, by_alias=True
    )
