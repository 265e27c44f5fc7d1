"""The Python client against a real, rate-limited server: it waits out a 429 as Retry-After
says, retries only what is safe to repeat, and raises when the wait is longer than allowed."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from harbor_client import HarborClient, RateLimitedError, RetryPolicy, models

from harbor_pipeline.fuzz.server import LiveServer, fresh_database, live_server
from service.kit.settings import Settings
from tests.fixtures.service import token

# One request a second, no burst beyond one: the second request in a row is a 429 whose
# Retry-After is 1 second.
LIMITED = {"HARBOR_RATE_LIMIT_PER_SECOND": "1", "HARBOR_RATE_LIMIT_BURST": "1"}
# Retries that come far sooner than the server's Retry-After would be refused again: only a
# client that honours Retry-After gets through.
IMPATIENT_BACKOFF = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)


class Recording(httpx.HTTPTransport):
    """Notes the status of every attempt the client makes."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses.append(response.status_code)
        return response


@pytest.fixture(scope="module")
def limited_server() -> Iterator[LiveServer]:
    with fresh_database(None) as database_url, live_server(database_url, extra_env=LIMITED) as s:
        yield s


def test_the_client_waits_out_429s_as_retry_after_says(limited_server: LiveServer) -> None:
    customer = f"cus_{secrets.token_hex(6)}"
    transport = Recording()
    body = models.OrderCreate(customer_id=customer, amount_cents=100, currency="EUR")
    with HarborClient(
        limited_server.url,
        token=token(Settings(), customer),
        retry=IMPATIENT_BACKOFF,
        transport=transport,
    ) as client:
        created = client.create_order(body)
        fetched = client.get_order(created.data.id)  # limited: waits, then succeeds
        again = client.create_order(body)  # limited too; safe to repeat: it has a key
        orders = [o.id for o in client.iter_list_customer_orders(customer)]

    assert created.status_code == 201 and fetched.id == created.data.id
    assert again.status_code == 201 and again.data.id != created.data.id
    assert transport.statuses[:5] == [201, 429, 200, 429, 201]
    assert sorted(orders) == sorted([created.data.id, again.data.id])  # no order twice


def test_a_wait_longer_than_the_client_allows_raises(limited_server: LiveServer) -> None:
    customer = f"cus_{secrets.token_hex(6)}"
    transport = Recording()
    policy = RetryPolicy(max_retries=2, initial_delay=0.01, max_retry_after=0.5)
    with HarborClient(
        limited_server.url, token=token(Settings(), customer), retry=policy, transport=transport
    ) as client:
        list(client.iter_list_customer_orders(customer))
        with pytest.raises(RateLimitedError) as caught:
            list(client.iter_list_customer_orders(customer))
    assert caught.value.status == 429 and caught.value.retry_after == 1.0
    assert caught.value.problem["type"] == "https://harbor.example/problems/rate-limited"
    assert transport.statuses == [200, 429]  # the 429 was not retried
