"""The fault suites' checkers: plain functions from what was observed to a list of violations.

The database- and process-fault suites record every request as an `Outcome` and read the
database afterwards; these functions judge them. Each returns the violations it found (empty:
the guarantee held), so a suite asserts `not violations` and prints them when it fails, and
`test_faults_harness.py` feeds each one a broken run to show it does fail.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

PROBLEM_JSON = "application/problem+json"
SERVICE_UNAVAILABLE = "https://harbor.example/problems/service-unavailable"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request as the client saw it. `status` None: no answer (refused, reset, timeout)."""

    op: str  # create, replay, get, list, ready ...
    started: float  # time.monotonic() when sent
    latency: float  # seconds until the answer (or the failure)
    status: int | None
    content_type: str = ""
    retry_after: str | None = None
    problem_type: str | None = None
    error: str | None = None  # the transport error, when status is None
    key: str | None = None  # the Idempotency-Key of a create
    order_id: str | None = None  # the order a 200/201 create answered with

    @property
    def finished(self) -> float:
        return self.started + self.latency

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        answer = self.status if self.status is not None else f"no answer ({self.error})"
        return f"{self.op} at t={self.started:.3f} -> {answer} after {self.latency:.3f}s"


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of the run, by monotonic time: [start, end)."""

    start: float
    end: float

    def holds(self, outcome: Outcome) -> bool:
        return self.start <= outcome.started < self.end


def in_window(outcomes: Iterable[Outcome], window: Window) -> list[Outcome]:
    return [o for o in outcomes if window.holds(o)]


def status_counts(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """Statuses, for the figures: `none` for requests that got no answer."""
    counts = Counter(str(o.status) if o.status is not None else "none" for o in outcomes)
    return dict(sorted(counts.items()))


def _is_proper_503(outcome: Outcome) -> str | None:
    """Why the outcome is not a 503 problem+json with Retry-After, or None when it is."""
    if outcome.status != 503:
        return "is not 503"
    if outcome.content_type.split(";")[0].strip() != PROBLEM_JSON:
        return f"is 503 as {outcome.content_type or 'no content type'}, not {PROBLEM_JSON}"
    if outcome.problem_type != SERVICE_UNAVAILABLE:
        return f"is 503 of type {outcome.problem_type!r}"
    if not outcome.retry_after or not outcome.retry_after.strip().isdigit():
        return f"is 503 without a usable Retry-After ({outcome.retry_after!r})"
    return None


def check_unavailable_answers(outcomes: Sequence[Outcome], down: Window) -> list[str]:
    """While the database is down every answer is a 503 problem+json with Retry-After, and
    every request is answered (no 500, no reset, no timeout). Judged on the requests sent and
    answered inside `down`: one that ends later may have reached the server after the return."""
    violations: list[str] = []
    during = [o for o in in_window(outcomes, down) if o.finished < down.end]
    if not during:
        violations.append("no request was sent while the database was down")
    for outcome in during:
        why = _is_proper_503(outcome)
        if why is not None:
            violations.append(f"while down: {outcome.describe()} {why}")
    return violations


def check_no_server_errors(outcomes: Iterable[Outcome]) -> list[str]:
    """At any time, whatever the database does: an answer, and no 5xx but a proper 503."""
    violations: list[str] = []
    for outcome in outcomes:
        if outcome.status is None:
            violations.append(f"{outcome.describe()}: the server did not answer")
        elif outcome.status >= 500:
            why = _is_proper_503(outcome)
            if why is not None:
                violations.append(f"{outcome.describe()} {why}")
    return violations


def max_latency(outcomes: Iterable[Outcome]) -> float:
    return max((o.latency for o in outcomes), default=0.0)


def check_latency_bounded(outcomes: Sequence[Outcome], limit: float) -> list[str]:
    """No request waited longer than `limit` seconds (no hang past the request timeout)."""
    return [f"{o.describe()}: slower than {limit}s" for o in outcomes if o.latency > limit]


def recovery_seconds(outcomes: Sequence[Outcome], back: float, until: float) -> float | None:
    """Seconds from `back` (the database answers again) until every request succeeds: the end
    of the last failed request sent in [back, until), or 0 when none failed. None when nothing
    sent in that stretch succeeded after the last failure (it never recovered)."""
    # A request still running when the next fault began may fail because of that fault.
    after = sorted(
        (o for o in in_window(outcomes, Window(back, until)) if o.finished < until),
        key=lambda o: o.started,
    )
    failures = [o for o in after if not o.ok]
    if not failures:
        return 0.0 if after else None
    last = failures[-1]
    if not any(o.ok and o.started > last.started for o in after):
        return None
    return max(0.0, last.finished - back)


def check_recovered_within(seconds: float | None, limit: float, *, label: str) -> list[str]:
    if seconds is None:
        return [f"{label}: requests still failed when the stretch ended (no recovery)"]
    if seconds > limit:
        return [f"{label}: recovered after {seconds:.2f}s, more than {limit}s"]
    return []


def check_replays_agree(outcomes: Iterable[Outcome]) -> list[str]:
    """Every successful answer under one idempotency key names the same order, and a key was
    answered 201 at most once."""
    orders: dict[str, set[str]] = defaultdict(set)
    created: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.key is None or not outcome.ok:
            continue
        if outcome.order_id is not None:
            orders[outcome.key].add(outcome.order_id)
        if outcome.status == 201:
            created[outcome.key] += 1
    violations = [
        f"key {key} answered with {len(ids)} different orders: {sorted(ids)}"
        for key, ids in sorted(orders.items())
        if len(ids) > 1
    ]
    violations += [
        f"key {key} was answered 201 {count} times" for key, count in created.items() if count > 1
    ]
    return violations


def acknowledged(outcomes: Iterable[Outcome]) -> dict[str, str]:
    """Order id -> idempotency key of every create answered 201."""
    return {o.order_id: o.key or "" for o in outcomes if o.status == 201 and o.order_id is not None}


def check_acknowledged_stored(
    acked: Mapping[str, str], stored: Sequence[tuple[str, str]]
) -> list[str]:
    """Every order acknowledged with 201 is in the database, under the key it was created with.
    `stored`: (order id, idempotency key) of every order in the database."""
    found = dict(stored)
    violations: list[str] = []
    for order_id, key in sorted(acked.items()):
        if order_id not in found:
            violations.append(f"order {order_id} (key {key}) was acknowledged but is not stored")
        elif found[order_id] != key:
            violations.append(f"order {order_id} is stored under key {found[order_id]}, not {key}")
    return violations


def check_one_order_per_key(stored: Sequence[tuple[str, str]]) -> list[str]:
    """No idempotency key produced two orders, and no order is stored twice."""
    per_key = Counter(key for _, key in stored)
    per_id = Counter(order_id for order_id, _ in stored)
    violations = [f"key {k} produced {n} orders" for k, n in sorted(per_key.items()) if n > 1]
    violations += [f"order {i} is stored {n} times" for i, n in sorted(per_id.items()) if n > 1]
    return violations


def check_outbox_consistent(
    order_ids: Sequence[str], events: Sequence[tuple[str, str]]
) -> list[str]:
    """Each order has exactly one `order.created` event and each event's order exists.
    `events`: (aggregate id, event type) of every outbox row."""
    created = Counter(aggregate for aggregate, kind in events if kind == "order.created")
    orders = set(order_ids)
    violations = [f"order {o} has no order.created event" for o in sorted(orders - set(created))]
    violations += [
        f"order {o} has {n} order.created events" for o, n in sorted(created.items()) if n > 1
    ]
    violations += [
        f"event for order {a} ({kind}) but no such order"
        for a, kind in sorted(events)
        if a not in orders
    ]
    return violations


def check_in_flight_finished(outcomes: Iterable[Outcome], expected: int) -> list[str]:
    """Requests in flight when the signal came got their normal answer (`expected`)."""
    return [
        f"in flight: {o.describe()}, expected {expected}" for o in outcomes if o.status != expected
    ]


def check_stopped_within(seconds: float | None, limit: float, *, label: str) -> list[str]:
    """A process told to stop (SIGTERM) was gone within `limit` seconds (the grace is bounded).
    `seconds` None: it was still running when the test stopped waiting."""
    if seconds is None:
        return [f"{label}: still running after {limit}s"]
    if seconds > limit:
        return [f"{label}: took {seconds:.2f}s to stop, more than {limit}s"]
    return []


def check_transport_errors(outcomes: Iterable[Outcome]) -> list[str]:
    """Every request got an HTTP answer (for stretches where no process died abruptly)."""
    return [f"{o.describe()}: no answer" for o in outcomes if o.status is None]
