"""API version pins: the table and its migration, PinRepository on both databases, the cached
Pins, and GET/PUT /v1/customers/{customer_id}/api-version."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest_asyncio

from generated.version_changes import NEWEST, VERSIONS
from service.db import migrate
from service.db.unit import Units
from service.kit.db import Sql, open_database
from service.kit.urls import DatabaseUrl
from service.versions.pins import Pins
from service.versions.repository import PinRecord
from tests.fixtures.service import make_settings
from tests.service.test_repositories import record

T0 = datetime(2026, 11, 25, 10, 15, 0, 123456, tzinfo=UTC)
T1 = T0 + timedelta(days=3)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


class Ticker:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


class CountingUnits:
    """Units that count the units of work they open: a cache hit opens none."""

    def __init__(self, units: Units) -> None:
        self._units = units
        self.opened = 0

    @contextlib.asynccontextmanager
    async def __call__(self, *, write: bool, single_statement: bool = False):
        self.opened += 1
        async with self._units(write=write, single_statement=single_statement) as unit:
            yield unit


# The repository, on both databases.


async def test_a_first_pin_is_stored_and_an_existing_one_never_moves(units, customer):
    async with units(write=False) as unit:
        assert await unit.pins.get(customer) is None
        assert await unit.pins.record(customer) is None
    async with units(write=True, single_statement=True) as unit:
        assert await unit.pins.pin_if_absent(customer, "1.0.0", T0) == "1.0.0"
    async with units(write=True, single_statement=True) as unit:
        assert await unit.pins.pin_if_absent(customer, "1.1.0", T1) == "1.0.0"
    async with units(write=False) as unit:
        assert await unit.pins.get(customer) == "1.0.0"
        assert await unit.pins.record(customer) == PinRecord(customer, "1.0.0", T0, T0)


async def test_a_move_keeps_when_the_customer_was_first_pinned(units, customer):
    async with units(write=True, single_statement=True) as unit:
        assert await unit.pins.move(customer, "1.1.0", T0) == PinRecord(customer, "1.1.0", T0, T0)
    async with units(write=True, single_statement=True) as unit:
        assert await unit.pins.move(customer, "1.0.0", T1) == PinRecord(customer, "1.0.0", T0, T1)
    async with units(write=False) as unit:
        assert await unit.pins.get(customer) == "1.0.0"


async def test_concurrent_first_pins_agree_on_one_version(units, customer):
    async def pin(version: str) -> str:
        async with units(write=True, single_statement=True) as unit:
            return await unit.pins.pin_if_absent(customer, version, T0)

    versions = await asyncio.gather(*(pin(v) for v in ["1.0.0", "1.1.0"] * 4))
    assert len(set(versions)) == 1


# The migration pins the customers that existed before it.


@pytest_asyncio.fixture
async def scratch(scratch_database_url):
    database = open_database(make_settings(scratch_database_url))
    await database.start()
    yield DatabaseUrl.parse(scratch_database_url), database
    await database.stop()


async def test_the_migration_pins_existing_customers_to_1_1_0(scratch):
    url, database = scratch
    assert await asyncio.to_thread(migrate.run, url, "downgrade", "0002") is not None
    units = Units(database)
    endpoint = Sql.portable(
        "INSERT INTO webhook_endpoints (id, customer_id, url, event_types, secret, created_at) "
        "VALUES ($1, $2, 'https://hooks.example/h', '[]', 'whsec_x', $3)"
    )
    async with units(write=True) as unit:
        await unit.orders.insert(record("cus_orders"))
        await unit.orders.insert(record("cus_both"))
    async with database.transaction(write=True) as session:
        await session.execute(endpoint, uuid.uuid4(), "cus_hooks", T0)
        await session.execute(endpoint, uuid.uuid4(), "cus_both", T0)

    assert await asyncio.to_thread(migrate.run, url, "upgrade", "head") == migrate.head()
    rows = Sql.portable("SELECT customer_id, version, pinned_at FROM api_version_pins")
    async with database.transaction(write=False) as session:
        pins = {row["customer_id"]: row for row in await session.fetch_all(rows)}
        moments = {session.to_datetime(row["pinned_at"]) for row in pins.values()}
    assert {c: row["version"] for c, row in pins.items()} == {
        "cus_orders": "1.1.0",
        "cus_hooks": "1.1.0",
        "cus_both": "1.1.0",
    }
    # Timestamps in the dialect's representation: aware, and about now.
    assert all(abs(datetime.now(UTC) - moment) < timedelta(hours=1) for moment in moments)


# Pins: the cache in front of the repository.


def make_pins(units, ticker, ttl=30.0, max_entries=100):
    counting = CountingUnits(units)
    pins = Pins(counting, FixedClock(T0), ttl_seconds=ttl, max_entries=max_entries, ticker=ticker)
    return pins, counting


async def test_ensure_pins_at_the_first_call_then_costs_no_query(units, customer):
    ticker = Ticker()
    pins, counting = make_pins(units, ticker)
    assert await pins.pinned(customer) is None
    assert await pins.ensure(customer, "1.0.0") == "1.0.0"
    assert counting.opened == 2
    # Cached: no unit of work, and the existing pin wins over the version asked for.
    assert await pins.ensure(customer, "1.1.0") == "1.0.0"
    assert await pins.pinned(customer) == "1.0.0"
    assert counting.opened == 2
    # Expired: read again, still never moved.
    ticker.seconds += 31
    assert await pins.ensure(customer, "1.1.0") == "1.0.0"
    assert counting.opened == 3


async def test_ensure_never_moves_a_pin_stored_by_another_process(units, customer):
    other, _ = make_pins(units, Ticker())
    await other.move(customer, "1.0.0")
    pins, _ = make_pins(units, Ticker())
    assert await pins.ensure(customer, "1.1.0") == "1.0.0"


async def test_a_move_is_seen_at_once_here_and_within_the_ttl_elsewhere(units, customer):
    here_ticker, there_ticker = Ticker(), Ticker()
    here, counting = make_pins(units, here_ticker)
    there, _ = make_pins(units, there_ticker)
    assert await here.ensure(customer, "1.0.0") == "1.0.0"
    assert await there.pinned(customer) == "1.0.0"

    moved = await here.move(customer, "1.1.0")
    assert (moved.version, moved.pinned_at) == ("1.1.0", T0)
    opened = counting.opened
    assert await here.pinned(customer) == "1.1.0"
    assert await here.ensure(customer, "1.0.0") == "1.1.0"
    assert counting.opened == opened  # the move refilled this process's cache
    # Another process keeps its copy until it expires.
    assert await there.pinned(customer) == "1.0.0"
    there_ticker.seconds += 30
    assert await there.pinned(customer) == "1.1.0"


async def test_the_cache_is_bounded_and_a_zero_ttl_turns_it_off(units, customer):
    pins, counting = make_pins(units, Ticker(), max_entries=2)
    for suffix in "abc":
        await pins.ensure(f"{customer}{suffix}", "1.0.0")
    opened = counting.opened
    await pins.pinned(f"{customer}c")
    await pins.pinned(f"{customer}b")
    assert counting.opened == opened
    await pins.pinned(f"{customer}a")  # evicted, the least recently stored
    assert counting.opened == opened + 1

    uncached, counting = make_pins(units, Ticker(), ttl=0)
    await uncached.ensure(customer, "1.0.0")
    await uncached.ensure(customer, "1.0.0")
    assert counting.opened == 2


# The HTTP operations.


def path(customer: str) -> str:
    return f"/v1/customers/{customer}/api-version"


async def test_get_without_a_pin_answers_the_newest_version_with_null_times(client, auth, customer):
    response = await client.get(path(customer), headers=auth(customer))
    assert response.status_code == 200, response.text
    assert response.json() == {"version": NEWEST, "pinned_at": None, "updated_at": None}


async def test_put_moves_the_pin_and_get_reads_it_back(client, auth, customer):
    first = await client.put(path(customer), json={"version": "1.0.0"}, headers=auth(customer))
    assert first.status_code == 200, first.text
    pinned = first.json()
    assert pinned["version"] == "1.0.0"
    assert pinned["pinned_at"] == pinned["updated_at"]

    moved = await client.put(path(customer), json={"version": "1.1.0"}, headers=auth(customer))
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == "1.1.0"
    assert moved.json()["pinned_at"] == pinned["pinned_at"]

    read = await client.get(path(customer), headers=auth(customer))
    assert read.status_code == 200
    assert read.json() == moved.json()


async def test_another_customers_pin_is_forbidden(client, auth, customer):
    other = f"{customer}_other"
    for response in (
        await client.get(path(other), headers=auth(customer)),
        await client.put(path(other), json={"version": "1.0.0"}, headers=auth(customer)),
    ):
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
    # Nothing was pinned for the other customer.
    read = await client.get(path(other), headers=auth(other))
    assert read.json()["pinned_at"] is None


async def test_an_unknown_version_is_422_naming_the_served_ones(client, auth, customer):
    response = await client.put(path(customer), json={"version": "0.9.0"}, headers=auth(customer))
    assert response.status_code == 422, response.text
    problem = orjson.loads(response.content)
    assert problem["type"] == "https://harbor.example/problems/unknown-api-version"
    assert ", ".join(VERSIONS) in problem["detail"]
    assert problem["errors"][0]["pointer"] == "/version"
    # The refused version was not stored; the first request pinned the version it was answered in.
    read = await client.get(path(customer), headers=auth(customer))
    assert read.json()["version"] == response.headers["harbor-version"] == NEWEST


async def test_a_malformed_body_is_the_validation_problem(client, auth, customer):
    for body in ({"version": "latest"}, {"version": "1.0.0", "extra": 1}, {}):
        response = await client.put(path(customer), json=body, headers=auth(customer))
        assert response.status_code == 422, (body, response.text)
        assert orjson.loads(response.content)["type"].endswith("/validation-error")
