"""What the client does besides retrying: errors, auth, forward compatibility, injection."""

from __future__ import annotations

import uuid

import httpx
import pytest
from harbor_client import (
    ClientError,
    FieldError,
    HarborApiError,
    HarborClient,
    HarborResponseError,
    RequestOptions,
    ServerError,
    UnauthorizedError,
    models,
)

from tests.clients.mock import ORDER, Script, problem

ORDER_ID = uuid.UUID(str(ORDER["id"]))


def test_an_undeclared_status_falls_back_to_its_class() -> None:
    client = HarborClient(
        "http://h.test", transport=Script([problem(418)]).transport, max_retries=0
    )
    with pytest.raises(ClientError) as caught:
        client.get_order(ORDER_ID)
    assert type(caught.value) is ClientError and caught.value.status == 418
    client = HarborClient(
        "http://h.test",
        transport=Script([httpx.Response(507, text="full")]).transport,
        max_retries=0,
    )
    with pytest.raises(ServerError) as server_error:
        client.get_order(ORDER_ID)
    assert server_error.value.title == "Insufficient Storage" and server_error.value.problem == {}


def test_the_request_id_comes_from_the_header_when_the_body_has_none() -> None:
    answer = httpx.Response(401, json={"title": "Nope"}, headers={"X-Request-ID": "req-9"})
    client = HarborClient("http://h.test", transport=Script([answer]).transport)
    with pytest.raises(UnauthorizedError) as caught:
        client.get_order(ORDER_ID)
    assert caught.value.request_id == "req-9" and "req-9" in str(caught.value)
    assert caught.value.model is None  # not a valid Problem (no type, no status)


def test_the_token_goes_only_where_the_spec_asks_and_may_be_a_function() -> None:
    script = Script([httpx.Response(200, json={"status": "ok"}), httpx.Response(200, json=ORDER)])
    tokens = iter(["first", "second"])
    client = HarborClient(
        "http://h.test/base/", token=lambda: next(tokens), transport=script.transport
    )
    client.get_health()
    client.get_order(ORDER_ID)
    health, order = script.requests
    assert "Authorization" not in health.headers
    assert order.headers["Authorization"] == "Bearer first"
    assert str(order.url) == f"http://h.test/base/v1/orders/{ORDER_ID}"
    assert order.headers["User-Agent"].startswith("harbor-client/")


def test_query_parameters_skip_what_was_not_given() -> None:
    page = {"data": [ORDER], "next_cursor": None}
    script = Script([httpx.Response(200, json=page)])
    HarborClient("http://h.test", transport=script.transport).list_customer_orders(
        "cus 1/2", limit=5
    )
    assert script.requests[0].url.raw_path == b"/v1/customers/cus%201%2F2/orders?limit=5"


def test_unknown_enum_values_and_fields_are_kept() -> None:
    newer = {**ORDER, "status": "disputed", "dispute_reason": "fraud"}
    script = Script([httpx.Response(200, json=newer)])
    order = HarborClient("http://h.test", transport=script.transport).get_order(ORDER_ID)
    assert order.status == "disputed" and not order.status.known
    assert models.OrderStatus("paid").known and models.OrderStatus.PAID.known
    assert order.model_extra == {"dispute_reason": "fraud"}
    assert order.model_dump(mode="json")["status"] == "disputed"


def test_a_body_that_breaks_the_contract_is_a_response_error() -> None:
    script = Script([httpx.Response(200, json={"id": "not a uuid"})])
    with pytest.raises(HarborResponseError) as caught:
        HarborClient("http://h.test", transport=script.transport).get_order(ORDER_ID)
    assert caught.value.response is not None and caught.value.response.status_code == 200


def test_a_repeated_cursor_stops_the_walk_with_an_error() -> None:
    page = {"data": [ORDER], "next_cursor": "same"}
    script = Script([httpx.Response(200, json=page)])
    client = HarborClient("http://h.test", transport=script.transport)
    with pytest.raises(HarborResponseError):
        list(client.iter_list_customer_orders("cus_123"))
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "same"]


def test_a_repeated_cursor_stops_a_page_walk_too() -> None:
    page = {"data": [ORDER], "next_cursor": "same"}
    script = Script([httpx.Response(200, json=page)])
    client = HarborClient("http://h.test", transport=script.transport)
    second = client.customers.orders.iter_list("cus_123").first_page().next_page()
    assert second.has_next_page()
    with pytest.raises(HarborResponseError, match="same cursor twice"):
        second.next_page()
    assert [r.url.params.get("cursor") for r in script.requests] == [None, "same"]


def test_an_injected_http_client_is_used_and_left_open() -> None:
    script = Script([httpx.Response(200, json={"status": "ok"})])
    http = httpx.Client(transport=script.transport, headers={"X-Partner": "acme"})
    with HarborClient("http://h.test", http_client=http) as client:
        client.get_health(options=RequestOptions(headers={"X-Trace": "1"}, timeout=2.5))
    assert not http.is_closed
    request = script.requests[0]
    assert request.headers["X-Partner"] == "acme" and request.headers["X-Trace"] == "1"
    assert request.extensions["timeout"]["read"] == 2.5
    http.close()


def test_a_422_names_its_invalid_fields_typed_and_in_its_message() -> None:
    body = {
        "type": "https://harbor.example/problems/validation-error",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "The request body is invalid.",
        "errors": [
            {"location": "body", "pointer": "/amount_cents", "message": "must be at least 1"},
            {"pointer": "/currency", "message": "must match ^[A-Z]{3}$"},
            "not an object",
        ],
    }
    script = Script(
        [httpx.Response(422, json=body, headers={"Content-Type": "application/problem+json"})]
    )
    client = HarborClient("http://harbor.test", token="t", transport=script.transport)
    with pytest.raises(HarborApiError) as raised:
        client.cancel_order(uuid.uuid4())

    assert raised.value.errors == [
        FieldError("/amount_cents", "must be at least 1", "body"),
        FieldError("/currency", "must match ^[A-Z]{3}$"),
    ]
    assert str(raised.value) == (
        "422 Unprocessable Content: The request body is invalid. "
        "[body /amount_cents: must be at least 1; /currency: must match ^[A-Z]{3}$]"
    )
