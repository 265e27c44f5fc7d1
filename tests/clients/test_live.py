"""The Python client against the real service: every operation, pagination and every error type."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from harbor_client import (
    BadRequestError,
    ConflictError,
    ContentTooLargeError,
    ForbiddenError,
    HarborApiError,
    HarborClient,
    NotFoundError,
    RequestOptions,
    UnauthorizedError,
    UnprocessableContentError,
    UnsupportedMediaTypeError,
    models,
)

from harbor_pipeline.fuzz.server import LiveServer


def new_order(customer: str, amount: int = 2599, **extra: object) -> models.OrderCreate:
    return models.OrderCreate.model_validate(
        {"customer_id": customer, "amount_cents": amount, "currency": "EUR", **extra}
    )


def test_create_without_a_key_creates_once_and_get_reads_it(
    harbor: HarborClient, customer: str
) -> None:
    card = {"type": "card", "token": "tok_4242abcd"}
    created = harbor.create_order(new_order(customer, payment_method=card, metadata={"a": "b"}))
    assert created.status_code == 201
    assert created.request_id
    order = created.data
    assert order.status == models.OrderStatus.PENDING and order.status.known
    assert isinstance(order.payment_method, models.CardPaymentMethod)
    assert harbor.get_order(order.id) == order


def test_an_explicit_key_replays_the_same_order(harbor: HarborClient, customer: str) -> None:
    key = str(uuid.uuid4())
    first = harbor.create_order(new_order(customer), idempotency_key=key)
    again = harbor.create_order(new_order(customer), idempotency_key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data == first.data
    assert [o.id for o in harbor.iter_list_customer_orders(customer)] == [first.data.id]


def test_two_calls_without_a_key_are_two_orders(harbor: HarborClient, customer: str) -> None:
    first = harbor.create_order(new_order(customer))
    second = harbor.create_order(new_order(customer))
    assert first.data.id != second.data.id
    assert second.status_code == 201


def test_cancel_then_cancel_again_is_a_conflict(harbor: HarborClient, customer: str) -> None:
    order = harbor.create_order(new_order(customer)).data
    cancelled = harbor.cancel_order(order.id)
    assert cancelled.status == models.OrderStatus.CANCELLED
    with pytest.raises(ConflictError) as caught:
        harbor.cancel_order(order.id)
    assert caught.value.status == 409 and "cancel" in caught.value.title.lower()


def test_the_iterator_walks_every_page(harbor: HarborClient, customer: str) -> None:
    created = [harbor.create_order(new_order(customer, amount=n + 1)).data.id for n in range(5)]
    pages = list(harbor.iter_list_customer_orders(customer, limit=2).pages())
    assert [len(page.data) for page in pages] == [2, 2, 1]
    assert pages[-1].next_cursor is None
    walked = [order.id for order in harbor.iter_list_customer_orders(customer, limit=2)]
    assert walked == list(reversed(created))  # newest first
    one_page = harbor.list_customer_orders(customer, limit=2)
    assert one_page.next_cursor and [o.id for o in one_page.data] == walked[:2]


def test_health_needs_no_token(server: LiveServer) -> None:
    with HarborClient(server.url) as anonymous:
        assert anonymous.get_health().status == "ok"
        assert anonymous.get_readiness().database == "ok"


def test_a_tampered_cursor_is_bad_request(harbor: HarborClient, customer: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        harbor.list_customer_orders(customer, cursor="AAAAAAAAAAAAAAAA")
    assert_problem(caught.value, 400)
    assert isinstance(caught.value.model, models.Problem)


def test_a_bad_token_is_unauthorized(server: LiveServer) -> None:
    with (
        HarborClient(server.url, token="not-a-jwt") as stranger,
        pytest.raises(UnauthorizedError) as caught,
    ):
        stranger.get_order(uuid.uuid4())
    assert_problem(caught.value, 401)


def test_an_order_for_another_customer_is_forbidden(harbor: HarborClient) -> None:
    with pytest.raises(ForbiddenError) as caught:
        harbor.create_order(new_order("cus_somebody_else"))
    assert_problem(caught.value, 403)


def test_an_unknown_order_is_not_found(harbor: HarborClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        harbor.get_order(uuid.uuid4())
    assert_problem(caught.value, 404)


def test_another_customers_order_is_not_found(
    harbor: HarborClient, token_for: Callable[[str], str], server: LiveServer
) -> None:
    theirs = "cus_" + uuid.uuid4().hex[:12]
    with HarborClient(server.url, token=token_for(theirs)) as other:
        order = other.create_order(new_order(theirs)).data
    with pytest.raises(NotFoundError):
        harbor.get_order(order.id)


def test_a_huge_body_is_content_too_large(harbor: HarborClient, customer: str) -> None:
    # Past the client's own validation (maxLength) on purpose: the server's limit is the subject.
    huge = models.OrderCreate.model_construct(
        customer_id=customer, amount_cents=1, currency="EUR", statement_descriptor="x" * 200_000
    )
    with pytest.raises(ContentTooLargeError) as caught:
        harbor.create_order(huge)
    assert_problem(caught.value, 413)


def test_a_body_that_is_not_json_is_unsupported(harbor: HarborClient, customer: str) -> None:
    plain = RequestOptions(headers={"Content-Type": "text/plain"})
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        harbor.create_order(new_order(customer), options=plain)
    assert_problem(caught.value, 415)


def test_a_reused_key_with_another_body_is_unprocessable(
    harbor: HarborClient, customer: str
) -> None:
    key = str(uuid.uuid4())
    harbor.create_order(new_order(customer, amount=1), idempotency_key=key)
    with pytest.raises(UnprocessableContentError) as caught:
        harbor.create_order(new_order(customer, amount=2), idempotency_key=key)
    assert_problem(caught.value, 422)


def assert_problem(error: HarborApiError, status: int) -> None:
    """The exception carries the problem+json body and the request id, for support."""
    assert error.status == status == error.status_code
    assert error.title and error.type.startswith("https://")
    assert error.request_id and error.request_id == error.response.headers["X-Request-ID"]
    assert error.problem["status"] == status
    assert str(status) in str(error) and error.request_id in str(error)
