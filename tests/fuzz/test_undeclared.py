"""The undeclared-field rule the fuzz hooks apply to every response, on the real spec's schemas."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from harbor_pipeline.fuzz.undeclared import response_schema, undeclared
from service.app import SPEC_PATH


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return document


@pytest.fixture(scope="module")
def order(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's own example order, with a metadata key named like an internal column."""
    example: dict[str, Any] = spec["components"]["examples"]["PendingOrder"]["value"]
    return {**example, "metadata": {"risk_score": "partner data, echoed back"}}


def pointers(spec: dict[str, Any], schema: Any, value: Any) -> list[str]:
    return [item.pointer for item in undeclared(spec, schema, value)]


ORDER_SCHEMA = {"$ref": "#/components/schemas/Order"}


def test_a_declared_order_passes_and_metadata_is_an_open_map(spec, order):
    assert pointers(spec, ORDER_SCHEMA, order) == []


def test_an_extra_member_is_found_at_its_pointer(spec, order):
    assert pointers(spec, ORDER_SCHEMA, {**order, "risk_score": 17}) == ["/risk_score"]


def test_the_best_matching_oneof_branch_judges_a_nested_object(spec, order):
    leaky = {**order, "payment_method": {"type": "card", "token": "tok_4242abcd", "pan": "4242"}}
    assert pointers(spec, ORDER_SCHEMA, leaky) == ["/payment_method/pan"]
    assert pointers(spec, ORDER_SCHEMA, {**order, "payment_method": None}) == []


def test_items_of_a_page_are_checked(spec, order):
    page = {"data": [order, {**order, "a/b": 1}], "next_cursor": None}
    found = undeclared(spec, {"$ref": "#/components/schemas/OrderPage"}, page)
    assert [(item.pointer, item.name) for item in found] == [("/data/1/a~1b", "a/b")]


def test_the_response_schema_is_found_by_status_and_media_type(spec):
    problem = response_schema(
        spec, "/v1/orders/{order_id}", "GET", 404, "application/problem+json; charset=utf-8"
    )
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert response_schema(spec, "/v1/orders/{order_id}", "GET", 418, "application/json") is None
    assert response_schema(spec, "/v1/orders/{order_id}", "GET", 404, "text/html") is None
