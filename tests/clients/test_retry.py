"""The retry rules, against a scripted transport: what is retried, how often, with which key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from harbor_client import (
    AsyncHarborClient,
    HarborClient,
    HarborTimeoutError,
    HarborTransportError,
    RateLimitedError,
    RequestOptions,
    RetryPolicy,
    ServiceUnavailableError,
    models,
)
from harbor_client._retry import retry_after

from tests.clients.mock import ORDER, Script, problem

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)
BODY = models.OrderCreate(customer_id="cus_123", amount_cents=1, currency="EUR")
ORDER_ID = uuid.UUID(ORDER["id"])  # type: ignore[arg-type]


def client_for(script: Script, retry: RetryPolicy = FAST) -> HarborClient:
    return HarborClient("http://harbor.test", token="t", transport=script.transport, retry=retry)


def test_a_get_is_retried_on_503_honouring_retry_after() -> None:
    script = Script(
        [problem(503, **{"Retry-After": "0"}), problem(502), httpx.Response(200, json=ORDER)]
    )
    assert client_for(script).get_order(ORDER_ID).amount_cents == 2599
    assert len(script.requests) == 3


def test_a_post_with_a_key_is_retried_with_the_same_key() -> None:
    script = Script([httpx.ReadError("reset"), problem(500), httpx.Response(201, json=ORDER)])
    result = client_for(script).create_order(BODY)
    keys = {request.headers["Idempotency-Key"] for request in script.requests}
    assert result.status_code == 201 and len(script.requests) == 3 and len(keys) == 1
    assert uuid.UUID(keys.pop()).version == 4


def test_the_callers_key_is_sent_as_given() -> None:
    script = Script([httpx.Response(200, json=ORDER)])
    client_for(script).create_order(BODY, idempotency_key="my-key-1")
    assert script.requests[0].headers["Idempotency-Key"] == "my-key-1"


def test_a_post_without_a_key_is_not_retried_after_it_may_have_arrived() -> None:
    script = Script([problem(503), httpx.Response(200, json=ORDER)])
    with pytest.raises(ServiceUnavailableError):
        client_for(script).cancel_order(ORDER_ID)
    script = Script([httpx.ReadError("reset"), httpx.Response(200, json=ORDER)])
    with pytest.raises(HarborTransportError) as caught:
        client_for(script).cancel_order(ORDER_ID)
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    assert len(script.requests) == 1


def test_a_connection_that_never_opened_is_retried_even_for_a_post() -> None:
    script = Script([httpx.ConnectError("refused"), httpx.Response(200, json=ORDER)])
    assert client_for(script).cancel_order(ORDER_ID).id == ORDER_ID
    assert len(script.requests) == 2


def test_retries_stop_at_the_budget_and_raise_the_last_answer() -> None:
    script = Script([problem(503)])
    with pytest.raises(ServiceUnavailableError):
        client_for(script).get_order(ORDER_ID)
    assert len(script.requests) == 3
    script = Script([problem(503)])
    with pytest.raises(ServiceUnavailableError):
        client_for(script).get_order(ORDER_ID, options=RequestOptions(max_retries=0))
    assert len(script.requests) == 1


def test_a_retry_after_beyond_the_limit_is_raised_not_waited_for() -> None:
    script = Script([problem(429, **{"Retry-After": "3600"})])
    with pytest.raises(RateLimitedError) as caught:
        client_for(script).get_order(ORDER_ID)
    assert caught.value.status == 429 and caught.value.retry_after == 3600
    assert len(script.requests) == 1


def test_a_timeout_is_a_timeout_error_after_the_retries() -> None:
    script = Script([httpx.ReadTimeout("slow")])
    with pytest.raises(HarborTimeoutError):
        client_for(script).get_order(ORDER_ID)
    assert len(script.requests) == 3


async def test_the_async_client_follows_the_same_rules() -> None:
    script = Script([httpx.RemoteProtocolError("dropped"), httpx.Response(200, json=ORDER)])
    async with AsyncHarborClient(
        "http://h.test", transport=script.async_transport, retry=FAST
    ) as client:
        result = await client.create_order(BODY)
        assert result.status_code == 200
        script.answers[:] = [problem(503)]
        with pytest.raises(ServiceUnavailableError):
            await client.cancel_order(ORDER_ID)
    keys = [request.headers.get("Idempotency-Key") for request in script.requests]
    assert keys[0] == keys[1] and keys[2] is None and len(keys) == 3


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=3.0)
    for attempt, ceiling in enumerate([0.5, 1.0, 2.0, 3.0, 3.0]):
        delays = {policy.backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(httpx.Response(503, headers={"Retry-After": "7"})) == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after(httpx.Response(503, headers={"Retry-After": later})) or 0) <= 30
    assert retry_after(httpx.Response(503, headers={"Retry-After": "soon"})) is None
    assert retry_after(httpx.Response(503)) is None


def test_retry_after_ms_wins_over_retry_after() -> None:
    # Retry-After alone asks for 30 s, past max_retry_after: retry-after-ms (20 ms) is honoured.
    patient = RetryPolicy(max_retries=1, initial_delay=0.001, max_delay=0.002, max_retry_after=1)
    script = Script(
        [
            problem(503, **{"Retry-After": "30", "retry-after-ms": "20"}),
            httpx.Response(200, json=ORDER),
        ]
    )
    assert client_for(script, patient).get_order(ORDER_ID).amount_cents == 2599
    assert len(script.requests) == 2
    only_seconds = Script([problem(503, **{"Retry-After": "30"}), httpx.Response(200, json=ORDER)])
    with pytest.raises(ServiceUnavailableError):
        client_for(only_seconds, patient).get_order(ORDER_ID)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"retry-after-ms": "1500"}, 1.5), ({"retry-after-ms": "x", "Retry-After": "2"}, 2.0)],
)
def test_retry_after_reads_milliseconds_first(headers: dict[str, str], seconds: float) -> None:
    assert retry_after(httpx.Response(429, headers=headers)) == seconds
