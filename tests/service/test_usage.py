"""Usage of deprecated operations: UsageRepository on both databases, the per-process counter
and its single flush, the version middleware's counting, and the export CLI."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import yaml

from generated.version_changes import NEWEST
from service.app import SPEC_PATH, create_app
from service.db.unit import Units
from service.kit.db import open_database
from service.versions import usage
from service.versions.repository import UsageCount
from service.versions.usage import UsageCounter, deprecated_operations
from tests.fixtures.service import make_settings, serve, token

T0 = datetime(2026, 11, 25, 10, 15, 0, 123456, tzinfo=UTC)
DAY = T0.date()


def _op() -> str:
    return f"op_{secrets.token_hex(4)}"


# The repository, on both databases.


async def test_a_batch_adds_to_the_stored_calls_and_keeps_the_latest_call(units, customer):
    op = _op()
    later = T0 + timedelta(hours=2)
    async with units(write=True) as unit:
        await unit.usage.add(
            [
                UsageCount(op, customer, "1.1.0", DAY, 3, later),
                UsageCount(op, customer, "2.0.0", DAY, 1, T0),
                # The same row twice in one batch is summed, not refused.
                UsageCount(op, customer, "2.0.0", DAY, 2, T0 + timedelta(minutes=1)),
            ]
        )
    async with units(write=True) as unit:
        await unit.usage.add([UsageCount(op, customer, "1.1.0", DAY, 4, T0)])

    async with units(write=False) as unit:
        rows = [r for r in await unit.usage.since(DAY) if r.operation_id == op]
    assert rows == [
        UsageCount(op, customer, "1.1.0", DAY, 7, later),
        UsageCount(op, customer, "2.0.0", DAY, 3, T0 + timedelta(minutes=1)),
    ]


async def test_since_sums_the_days_from_a_day_on(units, customer):
    op = _op()
    days = [DAY - timedelta(days=n) for n in (0, 5, 40)]
    async with units(write=True) as unit:
        await unit.usage.add(
            [
                UsageCount(op, customer, "2.0.0", day, 10, datetime.combine(day, T0.timetz()))
                for day in days
            ]
        )
        await unit.usage.add([])  # nothing to write: no statement

    async with units(write=False) as unit:
        rows = [r for r in await unit.usage.since(DAY - timedelta(days=30)) if r.operation_id == op]
    assert rows == [UsageCount(op, customer, "2.0.0", DAY, 20, T0)]


# The counter.


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


class FlakyUnits:
    """A unit of work whose repository records each batch, or fails while `down`."""

    def __init__(self) -> None:
        self.batches: list[list[UsageCount]] = []
        self.down = False

    @contextlib.asynccontextmanager
    async def __call__(self, *, write: bool, single_statement: bool = False):
        if self.down:
            raise ConnectionError("database down")
        yield self

    @property
    def usage(self):
        return self

    async def add(self, counts):
        self.batches.append(list(counts))


async def test_the_counter_writes_every_call_in_one_batch_and_keeps_it_through_a_failure():
    units, clock = FlakyUnits(), FixedClock(T0)
    counter = UsageCounter(units, clock, max_entries=2)
    for _ in range(5):
        counter.record("getOrder", "cus_a", "2.0.0")
    clock.moment = T0 + timedelta(seconds=30)
    counter.record("getOrder", "cus_b", "1.1.0")
    counter.record("getOrder", "cus_c", "1.1.0")  # beyond max_entries: dropped, counted

    units.down = True
    with pytest.raises(ConnectionError):
        await counter.flush()
    units.down = False
    counter.record("getOrder", "cus_a", "2.0.0")
    assert await counter.flush() == 2
    assert await counter.flush() == 0  # nothing new: no unit of work opened

    assert units.batches == [
        [
            UsageCount("getOrder", "cus_a", "2.0.0", DAY, 6, T0 + timedelta(seconds=30)),
            UsageCount("getOrder", "cus_b", "1.1.0", DAY, 1, T0 + timedelta(seconds=30)),
        ]
    ]
    assert counter.dropped == 1


async def test_the_loop_flushes_after_each_interval_and_outlives_a_failed_flush():
    units, clock = FlakyUnits(), FixedClock(T0)
    counter = UsageCounter(units, clock)
    counter.record("getOrder", "cus_a", "2.0.0")
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        # The interval passes at once; the database is down for the first flush only. Passed in,
        # not patched onto asyncio: the tests share one event loop, and a global fake sleep
        # that never yields turns any other task's polling loop into a busy loop.
        slept.append(seconds)
        units.down = len(slept) == 1
        if len(slept) >= 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await usage.flush_forever(counter, interval_seconds=60, sleep=sleep)
    assert slept == [60, 60, 60]
    assert units.batches == [[UsageCount("getOrder", "cus_a", "2.0.0", DAY, 1, T0)]]


# Which operations count.


def _spec_with_deprecated(tmp_path: Path, *operation_ids: str) -> Path:
    document = yaml.safe_load(SPEC_PATH.read_text())
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") in operation_ids:
                op["deprecated"] = True
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_deprecated_operations_come_from_the_spec_and_every_release(tmp_path):
    spec = _spec_with_deprecated(tmp_path, "getOrder")
    releases = tmp_path / "releases"
    releases.mkdir()
    old = yaml.safe_load(SPEC_PATH.read_text())
    # The release names the path parameter differently: the operation is still the same.
    old["paths"] = {
        "/v1/orders/{id}/cancel": {
            "post": {**old["paths"]["/v1/orders/{order_id}/cancel"]["post"], "deprecated": True}
        }
    }
    (releases / "1.0.0.yaml").write_text(yaml.safe_dump(old))

    assert deprecated_operations(spec, releases) == {
        ("GET", "/v1/orders/{order_id}"): "getOrder",
        ("POST", "/v1/orders/{order_id}/cancel"): "cancelOrder",
    }
    assert deprecated_operations(yaml.safe_load(spec.read_text()), None) == {
        ("GET", "/v1/orders/{order_id}"): "getOrder"
    }
    assert deprecated_operations(SPEC_PATH, SPEC_PATH.parent / "releases") == {}


# Through the app: many calls, one upsert.


class CountingDatabase:
    """The app's database, counting the statements that write api_usage."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.upserts = 0

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    @contextlib.asynccontextmanager
    async def transaction(self, *, write: bool, single_statement: bool = False):
        async with self._inner.transaction(write=write, single_statement=single_statement) as s:
            yield _Spy(s, self)


class _Spy:
    def __init__(self, session, owner: CountingDatabase) -> None:
        self._session, self._owner = session, owner

    def __getattr__(self, name: str):
        return getattr(self._session, name)

    async def execute(self, sql, *args):
        if "INSERT INTO api_usage" in sql.pg:
            self._owner.upserts += 1
        return await self._session.execute(sql, *args)


async def test_many_calls_of_a_deprecated_operation_are_one_upsert_at_shutdown(
    database_url, tmp_path, units, customer
):
    # The loop's interval is far away: only the shutdown flush writes.
    settings = make_settings(database_url, usage_flush_seconds=3600)
    database = CountingDatabase(open_database(settings))
    app = create_app(
        settings,
        database=database,
        spec_path=_spec_with_deprecated(tmp_path, "getOrder"),
        releases_path=tmp_path / "none",
    )
    other = f"{customer}_b"
    async with serve(app) as client:
        headers = {"Authorization": f"Bearer {token(settings, customer)}"}
        old = {"Authorization": f"Bearer {token(settings, other)}", "Harbor-Version": "1.1.0"}
        missing = "/v1/orders/00000000-0000-7000-8000-000000000000"
        for _ in range(20):
            assert (await client.get(missing, headers=headers)).status_code == 404
        for _ in range(5):
            assert (await client.get(missing, headers=old)).status_code == 404
        # Not deprecated, or no customer: not counted.
        await client.get(f"/v1/customers/{customer}/orders", headers=headers)
        assert (await client.get(missing)).status_code == 401
        assert database.upserts == 0
    assert database.upserts == 1

    async with units(write=False) as unit:
        rows = await unit.usage.since(date.today() - timedelta(days=1))
    mine = {(r.operation_id, r.customer_id, r.api_version): r.calls for r in rows}
    mine = {key: calls for key, calls in mine.items() if key[1] in (customer, other)}
    assert mine == {("getOrder", customer, NEWEST): 20, ("getOrder", other, "1.1.0"): 5}


async def test_without_deprecated_operations_nothing_is_counted(settings):
    app = create_app(settings)
    assert app.state.usage is None


# The export.


def test_export_prints_distinct_customers_and_the_last_call(
    database_url, tmp_path, monkeypatch, capsys
):
    op = _op()
    now = datetime.now(UTC)
    today = now.date()

    async def populate() -> None:
        database = open_database(make_settings(database_url))
        await database.start()
        try:
            async with Units(database)(write=True) as unit:
                at = lambda day: datetime.combine(day, now.timetz())  # noqa: E731
                d3, d10, d40 = (today - timedelta(days=n) for n in (3, 10, 40))
                await unit.usage.add(
                    [
                        UsageCount(op, "cus_a", "1.1.0", d10, 4, at(d10)),
                        UsageCount(op, "cus_a", "2.0.0", d3, 1, at(d3)),
                        UsageCount(op, "cus_b", "1.1.0", d10, 2, at(d10)),
                        UsageCount(op, "cus_c", "1.1.0", d40, 9, at(d40)),  # too long ago
                    ]
                )
        finally:
            await database.stop()

    asyncio.run(populate())
    monkeypatch.setenv("HARBOR_DATABASE_URL", database_url)
    spec = _spec_with_deprecated(tmp_path, "cancelOrder")
    assert usage.main(["export", "--days", "30", "--spec", str(spec), "--releases", "none"]) == 0
    document = orjson.loads(capsys.readouterr().out)

    assert document["format"] == "harbor-api-usage/1"
    assert (document["days"], document["since"]) == (30, str(today - timedelta(days=30)))
    assert document["operations"][op] == {
        "customers": 2,
        "calls": 7,
        "last_called_at": at_z(datetime.combine(today - timedelta(days=3), now.timetz())),
        "customers_by_last_day": {
            str(today - timedelta(days=10)): 1,
            str(today - timedelta(days=3)): 1,
        },
        "calls_by_version": {"1.1.0": 6, "2.0.0": 1},
    }
    # A deprecated operation nobody called is listed too: its absence of callers is data.
    assert document["operations"]["cancelOrder"] == {
        "operation": "POST /v1/orders/{order_id}/cancel",
        "customers": 0,
        "calls": 0,
        "last_called_at": None,
        "customers_by_last_day": {},
        "calls_by_version": {},
    }


def at_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_export_refuses_a_bad_window(capsys):
    with pytest.raises(SystemExit) as exit_info:
        usage.main(["export", "--days", "0"])
    assert exit_info.value.code == 2
    assert "--days 0" in capsys.readouterr().err
