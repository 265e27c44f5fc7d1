"""Abuse limits: rate limits per customer and per address, the request deadline, and the
connection limits of the real server (head size, header count, concurrency)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from service.app import create_app
from service.kit.deadlines import Deadlines
from service.kit.ratelimit import Rate, TokenBuckets
from service.kit.settings import Settings
from tests.fixtures.databases import migrated
from tests.fixtures.server import running_server
from tests.fixtures.service import BASE_URL, make_settings, serve, token

PROBLEM = "application/problem+json"


class FakeTicker:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextlib.asynccontextmanager
async def limited_app(
    database_url: str, ticker: FakeTicker | None = None, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = make_settings(database_url, **{"rate_limit_per_second": 1.0, **overrides})
    app = create_app(settings, ticker=ticker or FakeTicker())
    async with serve(app) as client:
        client.app = app  # type: ignore[attr-defined]  # for a second client elsewhere
        yield client, settings


def get_order(client: httpx.AsyncClient, settings: Settings, customer: str) -> Any:
    """An authenticated read (404: the order does not exist); cheap and repeatable."""
    headers = {"Authorization": f"Bearer {token(settings, customer)}"}
    return client.get(f"/v1/orders/{uuid.uuid4()}", headers=headers)


def new_customer() -> str:
    return f"cus_{secrets.token_hex(6)}"


def assert_rate_limited(response: httpx.Response, retry_after: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == str(retry_after)
    body = response.json()
    assert body["type"] == "https://harbor.example/problems/rate-limited"
    assert body["status"] == 429 and body["request_id"] == response.headers["x-request-id"]


async def test_the_request_after_the_burst_is_429_with_retry_after(database_url):
    async with limited_app(database_url, rate_limit_burst=3) as (client, settings):
        customer = new_customer()
        statuses = [(await get_order(client, settings, customer)).status_code for _ in range(3)]
        assert statuses == [404, 404, 404]
        assert_rate_limited(await get_order(client, settings, customer), retry_after=1)


async def test_one_customer_at_its_limit_leaves_another_unaffected(database_url):
    async with limited_app(database_url, rate_limit_burst=2) as (client, settings):
        busy, other = new_customer(), new_customer()
        for _ in range(2):
            await get_order(client, settings, busy)
        assert (await get_order(client, settings, busy)).status_code == 429
        assert (await get_order(client, settings, other)).status_code == 404


async def test_the_bucket_refills_at_the_sustained_rate(database_url):
    ticker = FakeTicker()
    # One token every 4 seconds: Retry-After counts whole seconds, rounded up.
    async with limited_app(
        database_url, ticker, rate_limit_per_second=0.25, rate_limit_burst=1
    ) as (client, settings):
        customer = new_customer()
        assert (await get_order(client, settings, customer)).status_code == 404
        assert_rate_limited(await get_order(client, settings, customer), retry_after=4)
        ticker.advance(3.5)
        assert_rate_limited(await get_order(client, settings, customer), retry_after=1)
        ticker.advance(0.5)
        assert (await get_order(client, settings, customer)).status_code == 404
        assert (await get_order(client, settings, customer)).status_code == 429


async def test_a_rate_of_0_turns_limiting_off(database_url):
    async with limited_app(database_url, rate_limit_per_second=0, rate_limit_burst=1) as (
        client,
        settings,
    ):
        customer = new_customer()
        statuses = {(await get_order(client, settings, customer)).status_code for _ in range(30)}
        assert statuses == {404}


async def test_unlimited_operations_are_not_counted(database_url):
    async with limited_app(database_url, rate_limit_burst=1) as (client, _):
        statuses = {(await client.get("/health")).status_code for _ in range(10)}
        assert statuses == {200}


def test_the_bucket_map_stays_bounded_and_evicts_idle_buckets_first():
    ticker = FakeTicker()
    buckets = TokenBuckets(Rate(per_second=1.0, burst=2), max_keys=100, now=ticker)
    # An active key, spent: its state must survive the sweeps while it stays active.
    buckets.take("active")
    buckets.take("active")
    for i in range(10_000):
        buckets.take(f"idle-{i}")
        if i % 50 == 0:
            ticker.advance(2.0)  # everything but the newest 50 keys goes idle (full again)
            buckets.take("active")
            buckets.take("active")
        assert len(buckets) <= 100
    assert buckets.take("active") > 0  # still limited: not evicted and reset
    assert len(buckets) <= 100


def test_when_every_bucket_is_active_the_oldest_go():
    buckets = TokenBuckets(Rate(per_second=1.0, burst=5), max_keys=8, now=FakeTicker())
    for i in range(100):
        buckets.take(f"key-{i}")
        assert len(buckets) <= 8
    assert buckets.wait("key-0") == 0.0  # forgotten: full again


async def test_invalid_tokens_from_one_address_are_slowed(database_url):
    ticker = FakeTicker()
    async with limited_app(
        database_url, ticker, auth_failure_rate_per_second=0.5, auth_failure_burst=2
    ) as (client, settings):
        known = get_order(client, settings, new_customer())
        assert (await known).status_code == 404  # verified once: now cached
        known_headers = {"Authorization": f"Bearer {token(settings, 'cus_known')}"}
        assert (
            await client.get(f"/v1/orders/{uuid.uuid4()}", headers=known_headers)
        ).status_code == 404
        bad = {"Authorization": "Bearer " + token(settings, "cus_x")[:-4] + "AAAA"}
        for _ in range(2):
            assert (await client.get(f"/v1/orders/{uuid.uuid4()}", headers=bad)).status_code == 401
        assert_rate_limited(await client.get("/v1/orders/" + str(uuid.uuid4()), headers=bad), 2)
        # A token not seen before is not even checked while the address is blocked ...
        fresh = await get_order(client, settings, new_customer())
        assert_rate_limited(fresh, 2)
        # ... but one already verified still works from the same address.
        again = await client.get(f"/v1/orders/{uuid.uuid4()}", headers=known_headers)
        assert again.status_code == 404
        # Another address is unaffected.
        app = client.app  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as elsewhere:
            assert (
                await elsewhere.get(f"/v1/orders/{uuid.uuid4()}", headers=bad)
            ).status_code == 401
        ticker.advance(2.0)
        assert (await client.get(f"/v1/orders/{uuid.uuid4()}", headers=bad)).status_code == 401


async def test_a_request_past_its_deadline_is_503_with_retry_after(database_url):
    settings = make_settings(database_url, request_timeout_seconds=0.2)
    app = create_app(settings)
    release = asyncio.Event()

    async def stuck() -> dict[str, str]:
        await release.wait()  # never set: the handler would wait forever
        return {}

    app.add_api_route("/test/stuck", stuck)
    async with serve(app) as client:
        response = await asyncio.wait_for(client.get("/test/stuck"), timeout=10)
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"] == "1"
        body = response.json()
        assert body["type"] == "https://harbor.example/problems/service-unavailable"
        assert body["detail"] == "The request took longer than 0.2 seconds."
        # The worker carries on, and the deadline of a request that did finish never fires.
        assert (await client.get("/health")).status_code == 200
        headers = {"Authorization": f"Bearer {token(settings, new_customer())}"}
        assert (await client.get(f"/v1/orders/{uuid.uuid4()}", headers=headers)).status_code == 404
        await asyncio.sleep(0.3)  # past the deadline of the requests above: nothing fires late
        assert (await client.get("/health")).status_code == 200


async def test_a_cancellation_that_is_not_the_deadline_passes_through():
    deadlines = Deadlines(60)

    async def request() -> None:
        task = deadlines.enter()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            assert not deadlines.leave(task)
            raise

    task = asyncio.create_task(request())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# The real server: only uvicorn's protocol shows these.


def raw_exchange(url: str, request: bytes) -> bytes:
    """Send `request` on a fresh connection; everything the server answers before closing."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(request)
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


def parse(answer: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, orjson.loads(body) if body else None


def request_with(*headers: bytes) -> bytes:
    return (
        b"GET /health HTTP/1.1\r\nHost: t\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + (b"Connection: close\r\n\r\n")
    )


async def sqlite_url(tmp_path: Path) -> str:
    return await migrated(f"sqlite:///{tmp_path / 'limits.db'}")


async def test_oversized_and_too_many_headers_are_431_problems(tmp_path):
    url = await sqlite_url(tmp_path)
    async with running_server(url, tmp_path, max_header_bytes="4096", max_headers="20") as server:
        ok = await asyncio.to_thread(raw_exchange, server.base_url, request_with(b"X-A: 1"))
        assert parse(ok)[0] == 200
        cases = {
            "one long line": request_with(b"X-Big: " + b"a" * 5000),
            "a long head in small headers": request_with(
                *(b"X-%d: %s" % (i, b"b" * 300) for i in range(15))
            ),
            "too many lines": request_with(*(b"X-%d: 1" % i for i in range(25))),
            "a huge header": request_with(b"X-Huge: " + b"c" * 2_000_000),
        }
        for name, request in cases.items():
            answer = await asyncio.to_thread(raw_exchange, server.base_url, request)
            status, headers, body = parse(answer)
            assert status == 431, (name, answer[:200])
            assert headers["content-type"] == PROBLEM and headers["connection"] == "close"
            assert body["type"] == "https://harbor.example/problems/headers-too-large", name
            assert body["request_id"] == headers["x-request-id"]
        # A request that is not HTTP at all: uvicorn's 400, as a problem too.
        answer = await asyncio.to_thread(raw_exchange, server.base_url, b"NOT HTTP\r\n\r\n")
        status, headers, body = parse(answer)
        assert status == 400 and body["type"] == "https://harbor.example/problems/bad-request"
        # The server still serves, and logged no traceback.
        ok = await asyncio.to_thread(raw_exchange, server.base_url, request_with(b"X-A: 1"))
        assert parse(ok)[0] == 200
    log = "\n".join(server.log_lines())
    assert "Traceback" not in log and log.count("http.protocol_refused") == 5


async def test_a_head_that_arrives_in_pieces_is_measured_whole(tmp_path):
    url = await sqlite_url(tmp_path)
    async with running_server(url, tmp_path, max_header_bytes="4096") as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        # Within the limit in every piece, over it in sum; and a body after a split head end.
        for i in range(10):
            writer.write(
                (b"GET /health HTTP/1.1\r\n" if i == 0 else b"") + b"X-%d: %s\r\n" % (i, b"d" * 500)
            )
            await writer.drain()
            await asyncio.sleep(0.01)
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        assert parse(answer)[0] == 431
        reader, writer = await asyncio.open_connection(host, int(port))
        body = b'{"x": "' + b"e" * 6000 + b'"}'
        head = b"POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r" % len(body)
        writer.write(head)
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"\n" + body)  # the head ends here; the body must not count against it
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"}"), timeout=10)
        writer.close()
        assert parse(answer)[0] == 405  # the app answered: the head passed


async def test_over_the_concurrency_limit_is_a_503_problem(tmp_path):
    url = await sqlite_url(tmp_path)
    async with running_server(
        url, tmp_path, limit_concurrency="2", keep_alive_seconds="30"
    ) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as first:
            assert (await first.get("/health")).status_code == 200  # its connection stays open
            async with httpx.AsyncClient(base_url=server.base_url) as second:
                response = await second.get("/health")
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"] == "1"
        assert response.json()["detail"] == "The server is at its concurrency limit; retry later."
        assert response.json()["request_id"] == response.headers["x-request-id"]
