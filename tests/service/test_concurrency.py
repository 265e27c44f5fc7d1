"""Idempotency across processes: four uvicorn workers on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter

import asyncpg
import httpx
import pytest

from service.kit.settings import Settings
from tests.fixtures.server import running_server
from tests.fixtures.service import order_body, token

pytestmark = pytest.mark.postgres

WORKERS = 4
REQUESTS = 200


async def order_count(database_url: str, customer: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM orders WHERE customer_id = $1", customer)
        )
    finally:
        await conn.close()


async def post_all(base_url: str, customer: str, keys: list[str]) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token(Settings(), customer)}"}
    limits = httpx.Limits(max_connections=len(keys), max_keepalive_connections=len(keys))
    start = asyncio.Event()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def post(key: str) -> httpx.Response:
            await start.wait()
            return await client.post(
                "/v1/orders", json=order_body(customer), headers={**headers, "Idempotency-Key": key}
            )

        tasks = [asyncio.create_task(post(key)) for key in keys]
        await asyncio.sleep(0.05)
        start.set()
        return list(await asyncio.gather(*tasks))


async def test_one_key_from_200_concurrent_requests_makes_one_order(pg_database_url, tmp_path):
    customer = f"cus_{secrets.token_hex(6)}"
    async with running_server(
        pg_database_url, tmp_path, workers=WORKERS, access_log="false"
    ) as server:
        responses = await post_all(server.base_url, customer, ["same-key"] * REQUESTS)
        # Once the first has committed, a late retry replays it.
        late = await post_all(server.base_url, customer, ["same-key"])

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses[201] == 1, statuses
    assert len({r.content for r in responses + late if r.status_code < 300}) == 1
    assert all(
        r.json()["type"].endswith("/idempotency-key-in-flight")
        for r in responses
        if r.status_code == 409
    )
    assert late[0].status_code == 200
    assert await order_count(pg_database_url, customer) == 1


async def test_50_keys_from_200_concurrent_requests_make_50_orders(pg_database_url, tmp_path):
    customer = f"cus_{secrets.token_hex(6)}"
    keys = [f"key-{i % 50}" for i in range(REQUESTS)]
    async with running_server(
        pg_database_url, tmp_path, workers=WORKERS, access_log="false"
    ) as server:
        responses = await post_all(server.base_url, customer, keys)

    by_key: dict[str, set[bytes]] = {}
    for key, response in zip(keys, responses, strict=True):
        assert response.status_code in {200, 201, 409}, response.text
        if response.status_code < 300:
            by_key.setdefault(key, set()).add(response.content)
    assert Counter(r.status_code for r in responses)[201] == 50
    assert all(len(bodies) == 1 for bodies in by_key.values())
    assert await order_count(pg_database_url, customer) == 50
