"""A retry that survives the server dropping the first connection creates exactly one order."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from harbor_client import HarborClient, HarborTransportError, RetryPolicy, models

from harbor_pipeline.fuzz.server import LiveServer
from tests.clients.proxy import dropping_proxy


def test_the_retry_after_a_dropped_answer_replays_instead_of_creating_twice(
    server: LiveServer, customer: str, token_for: Callable[[str], str]
) -> None:
    token = token_for(customer)
    body = models.OrderCreate(customer_id=customer, amount_cents=4200, currency="EUR")
    retry = RetryPolicy(max_retries=2, initial_delay=0.01)
    with (
        dropping_proxy(server.url) as proxy,
        HarborClient(proxy.url, token=token, retry=retry) as client,
    ):
        result = client.create_order(body)  # no key given: the client makes one, retries reuse it
    assert proxy.connections == 2 and len(proxy.dropped) == 1
    head, _, lost = proxy.dropped[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201")  # the first attempt did create the order
    assert result.status_code == 200  # ... and the retry got its replay
    assert str(result.data.id) == json.loads(lost)["id"]
    with HarborClient(server.url, token=token) as direct:
        assert [o.id for o in direct.iter_list_customer_orders(customer)] == [result.data.id]


def test_a_dropped_answer_to_an_unsafe_call_is_not_retried(
    server: LiveServer, customer: str, token_for: Callable[[str], str]
) -> None:
    token = token_for(customer)
    with HarborClient(server.url, token=token) as direct:
        order = direct.create_order(
            models.OrderCreate(customer_id=customer, amount_cents=1, currency="EUR")
        ).data
    with (
        dropping_proxy(server.url) as proxy,
        HarborClient(proxy.url, token=token) as client,
        pytest.raises(HarborTransportError),
    ):
        client.cancel_order(order.id)  # a POST without a key: repeating it is not safe
    assert proxy.connections == 1
