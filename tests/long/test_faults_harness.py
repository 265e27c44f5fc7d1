"""The fault suites' checkers fail when the guarantee is broken on purpose (fast; in make test).

Each checker of tests/long/faults.py gets a run that keeps the guarantee (no violation) and one
that breaks it (a violation naming the problem). The last tests drive the real app in process
with the same load generator the suites use, over a database that "goes down", once mapping
the outage to 503 as the service does and once regressing to a 500.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import structlog.testing

from service.app import create_app
from service.kit.db import DatabaseUnavailable, Session, open_database
from service.kit.urls import Dialect
from tests.fixtures.databases import migrated
from tests.fixtures.service import make_settings, serve, token
from tests.long import faults
from tests.long.faultload import Load
from tests.long.faults import SERVICE_UNAVAILABLE, Outcome, Window


def answer(status: int | None, started: float = 1.0, latency: float = 0.01, **fields) -> Outcome:
    if status == 503:
        fields.setdefault("content_type", "application/problem+json")
        fields.setdefault("retry_after", "1")
        fields.setdefault("problem_type", SERVICE_UNAVAILABLE)
    return Outcome("get", started, latency, status, **fields)


DOWN = Window(1.0, 5.0)


def test_unavailable_answers_pass_for_503_problem_with_retry_after():
    outcomes = [answer(503, started=t) for t in (1.0, 2.0, 4.9)]
    assert faults.check_unavailable_answers(outcomes, DOWN) == []


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        (answer(500, started=2.0), "is not 503"),
        (answer(None, started=2.0, error="ReadTimeout"), "is not 503"),
        (answer(503, started=2.0, retry_after=None), "without a usable Retry-After"),
        (answer(503, started=2.0, retry_after="soon"), "without a usable Retry-After"),
        (answer(503, started=2.0, content_type="text/plain"), "not application/problem+json"),
        (answer(200, started=2.0), "is not 503"),
    ],
)
def test_unavailable_answers_fail_for_anything_else(broken, named):
    violations = faults.check_unavailable_answers([answer(503), broken], DOWN)
    assert len(violations) == 1 and named in violations[0], violations


def test_unavailable_answers_fail_when_nothing_was_sent_while_down():
    assert faults.check_unavailable_answers([answer(503, started=9.0)], DOWN)


def test_unavailable_answers_ignore_requests_answered_after_the_return():
    # Sent while down, answered after the database was back: it may rightly succeed.
    late = answer(200, started=4.8, latency=0.5)
    assert faults.check_unavailable_answers([answer(503), late], DOWN) == []


def test_no_server_errors_flags_500_and_silence_but_not_proper_503():
    assert faults.check_no_server_errors([answer(200), answer(503), answer(404)]) == []
    violations = faults.check_no_server_errors(
        [answer(500), answer(None, error="RemoteProtocolError"), answer(503, retry_after=None)]
    )
    assert len(violations) == 3


def test_latency_bound_flags_a_hang():
    assert faults.check_latency_bounded([answer(503, latency=0.4)], 3.0) == []
    assert faults.check_latency_bounded([answer(503, latency=14.9)], 3.0)


def test_recovery_is_measured_from_the_return_and_a_slow_one_fails():
    back = 10.0
    quick = [answer(503, started=10.1, latency=0.1), answer(200, started=10.3)]
    slow = [answer(503, started=10.0 + t / 2, latency=0.1) for t in range(15)]
    slow.append(answer(200, started=17.6))

    quick_seconds = faults.recovery_seconds(quick, back, 20.0)
    slow_seconds = faults.recovery_seconds(slow, back, 20.0)

    assert quick_seconds == pytest.approx(0.2)
    assert faults.check_recovered_within(quick_seconds, 5.0, label="r") == []
    assert slow_seconds == pytest.approx(7.1)
    assert "more than 5.0s" in faults.check_recovered_within(slow_seconds, 5.0, label="r")[0]


def test_recovery_that_never_comes_fails():
    never = [answer(200, started=10.2), answer(503, started=19.0)]
    seconds = faults.recovery_seconds(never, 10.0, 20.0)
    assert seconds is None
    assert "no recovery" in faults.check_recovered_within(seconds, 5.0, label="r")[0]


def test_recovery_ignores_requests_cut_by_the_next_fault():
    # Sent before the next stop, answered after it began: that fault's, not this one's.
    outcomes = [answer(200, started=11.0), answer(503, started=19.9, latency=0.3)]
    assert faults.recovery_seconds(outcomes, 10.0, 20.0) == 0.0


def created(key: str, order_id: str, status: int = 201) -> Outcome:
    return Outcome("create", 1.0, 0.01, status, key=key, order_id=order_id)


def test_acknowledged_order_missing_from_the_database_fails():
    outcomes = [created("k1", "o1"), created("k2", "o2")]
    acked = faults.acknowledged(outcomes)

    assert faults.check_acknowledged_stored(acked, [("o1", "k1"), ("o2", "k2")]) == []
    lost = faults.check_acknowledged_stored(acked, [("o1", "k1")])
    assert lost == ["order o2 (key k2) was acknowledged but is not stored"]
    swapped = faults.check_acknowledged_stored(acked, [("o1", "k1"), ("o2", "k9")])
    assert "stored under key k9" in swapped[0]


def test_a_key_that_made_two_orders_fails():
    assert faults.check_one_order_per_key([("o1", "k1"), ("o2", "k2")]) == []
    assert faults.check_one_order_per_key([("o1", "k1"), ("o2", "k1")]) == [
        "key k1 produced 2 orders"
    ]


def test_replays_that_disagree_fail():
    agree = [created("k1", "o1"), created("k1", "o1", status=200)]
    assert faults.check_replays_agree(agree) == []
    two_orders = [created("k1", "o1"), created("k1", "o2", status=200)]
    assert "2 different orders" in faults.check_replays_agree(two_orders)[0]
    two_creates = [created("k1", "o1"), created("k1", "o1")]
    assert "answered 201 2 times" in faults.check_replays_agree(two_creates)[0]


def test_outbox_consistency_fails_for_an_order_without_event_and_an_event_without_order():
    events = [("o1", "order.created"), ("o2", "order.created"), ("o2", "order.cancelled")]
    assert faults.check_outbox_consistent(["o1", "o2"], events) == []

    no_event = faults.check_outbox_consistent(["o1", "o2", "o3"], events)
    assert no_event == ["order o3 has no order.created event"]
    orphan = faults.check_outbox_consistent(["o1"], events)
    assert "event for order o2 (order.created) but no such order" in orphan
    doubled = faults.check_outbox_consistent(["o1", "o2"], [*events, ("o1", "order.created")])
    assert doubled == ["order o1 has 2 order.created events"]


def test_in_flight_requests_must_get_their_normal_answer():
    assert faults.check_in_flight_finished([created("k", "o")] * 3, 201) == []
    cut = [created("k", "o"), answer(None, error="RemoteProtocolError"), answer(503)]
    assert len(faults.check_in_flight_finished(cut, 201)) == 2


def test_a_process_that_outlives_its_grace_fails():
    assert faults.check_stopped_within(4.3, 5.0, label="worker") == []
    assert faults.check_stopped_within(9.0, 5.0, label="worker")
    assert faults.check_stopped_within(None, 5.0, label="worker")


# --- the real app, in process, over a database that goes down ----------------------------------


class Outage(RuntimeError):
    """What a driver error looks like when nothing maps it to DatabaseUnavailable."""


class SwitchableDatabase:
    """A real SQLite database that can be switched off; off, it fails as `failure` says."""

    def __init__(self, inner, failure: type[Exception]) -> None:
        self._inner = inner
        self._failure = failure
        self.down = False
        self.dialect: Dialect = inner.dialect

    async def start(self) -> None:
        await self._inner.start()

    async def stop(self) -> None:
        await self._inner.stop()

    async def ping(self) -> None:
        if self.down:
            raise self._failure()
        await self._inner.ping()

    @contextlib.asynccontextmanager
    async def transaction(
        self, *, write: bool, single_statement: bool = False
    ) -> AsyncIterator[Session]:
        if self.down:
            raise self._failure()
        async with self._inner.transaction(write=write, single_statement=single_statement) as s:
            yield s


async def outage_run(tmp_path: Path, failure: type[Exception]) -> tuple[list[Outcome], Window]:
    url = await migrated(f"sqlite:///{tmp_path / 'harbor.db'}")
    settings = make_settings(url)
    database = SwitchableDatabase(open_database(settings), failure)
    # Captured, not rendered: the development renderer takes seconds over each traceback.
    with structlog.testing.capture_logs():
        return await _drive(settings, database)


async def _drive(settings, database: SwitchableDatabase) -> tuple[list[Outcome], Window]:
    async with serve(create_app(settings, database=database)) as client:
        load = Load(client, "cus_harness", token(settings, "cus_harness"))
        for _ in range(20):
            await load.step()
        down_from = time.monotonic()
        database.down = True
        for _ in range(10):
            await load.step()
            await load.ready()
        down = Window(down_from, time.monotonic())
        database.down = False
        for _ in range(20):
            await load.step()
    return load.outcomes, down


async def test_the_app_answers_503_while_its_database_is_down(tmp_path):
    outcomes, down = await outage_run(tmp_path, DatabaseUnavailable)
    assert faults.check_unavailable_answers(outcomes, down) == []
    assert faults.check_no_server_errors(outcomes) == []


async def test_a_regression_to_500_while_the_database_is_down_is_caught(tmp_path):
    outcomes, down = await outage_run(tmp_path, Outage)
    violations = faults.check_unavailable_answers(outcomes, down)
    assert violations and all("is not 503" in v for v in violations)
    assert faults.check_no_server_errors(outcomes)
