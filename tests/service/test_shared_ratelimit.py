"""The shared rate limit (HARBOR_RATE_LIMIT_STORE=database): one exact limit for every worker.

Two apps on one PostgreSQL database stand for two worker processes (or hosts)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from service.kit.settings import Settings
from tests.fixtures.databases import POSTGRES
from tests.service.test_limits import assert_rate_limited, get_order, limited_app, new_customer

pytestmark = pytest.mark.parametrize("database_url", [POSTGRES], indirect=True)


@contextlib.asynccontextmanager
async def two_workers(
    database_url: str, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Settings]]:
    async with (
        limited_app(database_url, **overrides) as (first, settings),
        limited_app(database_url, **overrides) as (second, _),
    ):
        yield first, second, settings


async def test_two_workers_grant_the_burst_once_between_them(database_url):
    slow = {"rate_limit_per_second": 0.001, "rate_limit_burst": 6}
    customer = new_customer()
    async with two_workers(database_url, rate_limit_store="database", **slow) as (a, b, settings):
        statuses = [
            (await get_order(client, settings, customer)).status_code for client in (a, b) * 3
        ]
        refused = [await get_order(client, settings, customer) for client in (a, b)]

    assert statuses == [404] * 6
    for response in refused:
        assert_rate_limited(response, retry_after=1000)


async def test_with_memory_buckets_each_worker_grants_its_own_burst(database_url):
    # What the shared store exists to prevent: N workers grant N times the burst.
    slow = {"rate_limit_per_second": 0.001, "rate_limit_burst": 3}
    customer = new_customer()
    async with two_workers(database_url, rate_limit_store="memory", **slow) as (a, b, settings):
        statuses = [
            (await get_order(client, settings, customer)).status_code for client in (a, b) * 4
        ]

    assert statuses == [404] * 6 + [429] * 2


async def test_concurrent_requests_on_both_workers_get_exactly_the_burst(database_url):
    slow = {"rate_limit_per_second": 0.001, "rate_limit_burst": 10}
    customer = new_customer()
    async with two_workers(database_url, rate_limit_store="database", **slow) as (a, b, settings):
        responses = await asyncio.gather(
            *(get_order(client, settings, customer) for client in (a, b) * 20)
        )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [404] * 10 + [429] * 30


async def test_the_bucket_refills_at_the_rate_on_the_database_clock(database_url):
    customer = new_customer()
    quick = {"rate_limit_per_second": 10.0, "rate_limit_burst": 2, "rate_limit_store": "database"}
    async with limited_app(database_url, **quick) as (client, settings):
        first = [(await get_order(client, settings, customer)).status_code for _ in range(2)]
        assert_rate_limited(await get_order(client, settings, customer), retry_after=1)
        await asyncio.sleep(0.25)  # two tokens' worth at 10 per second
        again = (await get_order(client, settings, customer)).status_code

    assert first == [404, 404]
    assert again == 404


async def test_other_customers_have_their_own_buckets(database_url):
    slow = {"rate_limit_per_second": 0.001, "rate_limit_burst": 1, "rate_limit_store": "database"}
    async with limited_app(database_url, **slow) as (client, settings):
        one, other = new_customer(), new_customer()
        assert (await get_order(client, settings, one)).status_code == 404
        assert (await get_order(client, settings, one)).status_code == 429
        assert (await get_order(client, settings, other)).status_code == 404


def test_sqlite_refuses_the_shared_store(database_url):
    with pytest.raises(ValidationError, match="HARBOR_RATE_LIMIT_STORE=database needs PostgreSQL"):
        Settings(database_url="sqlite:///var/x.db", rate_limit_store="database")
    assert Settings(database_url=database_url, rate_limit_store="database").rate_limit_store == (
        "database"
    )
