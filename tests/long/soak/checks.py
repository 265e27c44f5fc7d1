"""The soak's verdicts as pure functions: figures in, a list of problems out (empty: it holds)."""

# Each check is plain data in and out so that tests/long/test_soak_harness.py can feed it a
# deliberate regression (a 5xx, a p99 that doubles, RSS that grows, an order lost or doubled)
# and see it fail, without a server.

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# What each kind of request of the mix may answer. Anything else, 4xx included, means the soak
# is not measuring what it claims (an expired token, a rate limiter left on), so it fails too.
EXPECTED: Mapping[str, frozenset[int]] = {
    "create": frozenset({201}),
    "replay": frozenset({200}),
    "get": frozenset({200}),
    "cancel": frozenset({200, 409}),  # 409: an earlier cancel of the same order won
    "list": frozenset({200}),
    "page": frozenset({200}),
}
# wrk's socket error counters; its "status" counter is every answer >= 400 (409s included), which
# the status table above judges instead.
SOCKET_ERRORS = ("connect", "read", "write", "timeout")


def check_responses(
    statuses: Mapping[tuple[str, int], int], wrk_errors: Mapping[str, int]
) -> list[str]:
    """No 5xx, no answer outside EXPECTED, no socket error."""
    problems = []
    server_errors = {key: n for key, n in statuses.items() if key[1] >= 500}
    if server_errors:
        problems.append(f"{sum(server_errors.values())} answers were 5xx: {_table(server_errors)}")
    unexpected = {
        key: n
        for key, n in statuses.items()
        if key[1] < 500 and key[1] not in EXPECTED.get(key[0], frozenset())
    }
    if unexpected:
        problems.append(f"{sum(unexpected.values())} unexpected answers: {_table(unexpected)}")
    socket = {name: wrk_errors.get(name, 0) for name in SOCKET_ERRORS if wrk_errors.get(name)}
    if socket:
        problems.append(f"socket errors: {socket}")
    return problems


def check_throughput(target: float, achieved: float, *, min_ratio: float = 0.95) -> list[str]:
    """The server kept up with the paced rate. If it did not, the load was not the 70% the
    verdicts below assume, and latency measured from each request's due time only grows."""
    if achieved < target * min_ratio:
        return [
            f"the server answered {achieved:,.0f} req/s of the {target:,.0f} req/s sent "
            f"(less than {min_ratio:.0%}): it did not keep up"
        ]
    return []


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of values; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def window_p99s(
    samples: Iterable[tuple[float, float]], *, start: float, end: float, window: float = 10.0
) -> list[float]:
    """The p99 latency of each `window`-second slice of [start, end); samples are (second the
    request was due, latency). Slices with fewer than 100 samples have no p99 and are left out."""
    count = max(1, round((end - start) / window))
    slices: list[list[float]] = [[] for _ in range(count)]
    for at, latency in samples:
        if start <= at < end:
            slices[min(count - 1, int((at - start) / window))].append(latency)
    return [percentile(s, 99) for s in slices if len(s) >= 100]


def minute_p99s(samples: Iterable[tuple[float, float]], seconds: float) -> list[float]:
    """The plain p99 of each whole or partial minute of the run, for the report."""
    minutes: list[list[float]] = [[] for _ in range(max(1, math.ceil(seconds / 60)))]
    for at, latency in samples:
        if 0 <= at < seconds:
            minutes[int(at // 60)].append(latency)
    return [percentile(m, 99) for m in minutes]


@dataclass(frozen=True, slots=True)
class LatencyVerdict:
    first: float  # median of the first minute's window p99s
    last: float
    problems: list[str]


def check_latency(
    first: Sequence[float], last: Sequence[float], *, max_ratio: float = 1.5
) -> LatencyVerdict:
    """The last minute's p99 within max_ratio of the first minute's. Each minute's p99 is the
    median of its 10-second windows' p99s, so that one stall of a shared machine (another
    process's burst) moves one window, not the verdict; a server that slows down moves them all."""
    if not first or not last:
        return LatencyVerdict(math.nan, math.nan, ["too few requests to measure a p99"])
    a, b = statistics.median(first), statistics.median(last)
    problems = []
    if b > a * max_ratio:
        problems.append(
            f"p99 grew from {a:.1f} ms (first minute) to {b:.1f} ms (last minute), "
            f"more than {max_ratio}x"
        )
    return LatencyVerdict(a, b, problems)


@dataclass(frozen=True, slots=True)
class Memory:
    pid: int
    start_kib: int
    end_kib: int


def check_rss(
    samples: Mapping[int, Sequence[tuple[float, int]]],
    *,
    warmup: float,
    end: float,
    max_growth: float = 1.2,
    slack_kib: int = 8 * 1024,
) -> tuple[list[Memory], list[str]]:
    """Each worker's resident memory flat: `end <= start * max_growth + slack`, where start is
    the median of its samples in the 10 s after the warm-up (pools filled, caches warm) and end
    the median of its last 10 s. Samples are (second, KiB) per worker pid; a worker that
    appeared or vanished during the run (a crash and restart) is a problem too."""
    memories, problems = [], []
    for pid, series in sorted(samples.items()):
        head = [kib for at, kib in series if warmup <= at < warmup + 10]
        tail = [kib for at, kib in series if at >= end - 10]
        if not head or not tail:
            problems.append(f"worker {pid} was not there for the whole run")
            continue
        memory = Memory(pid, int(statistics.median(head)), int(statistics.median(tail)))
        memories.append(memory)
        limit = memory.start_kib * max_growth + slack_kib
        if memory.end_kib > limit:
            problems.append(
                f"worker {pid} grew from {memory.start_kib / 1024:.1f} MiB to "
                f"{memory.end_kib / 1024:.1f} MiB (limit {limit / 1024:.1f} MiB)"
            )
    if not samples:
        problems.append("no worker was sampled")
    return memories, problems


@dataclass(frozen=True, slots=True)
class Replay:
    key: str
    status: int
    order_id: str  # "-" when the answer carried none


def check_orders(
    acknowledged: Sequence[tuple[str, str]],
    replays: Iterable[Replay],
    stored: Iterable[tuple[str, str]],
) -> list[str]:
    """Every order acknowledged with 201, as (idempotency key, order id), is stored exactly once
    and is the only order of its key; each key was acknowledged once; every replay answered 200
    with the order its key created. `stored`: (order id, key) of every order in the database."""
    problems: list[str] = []
    by_key: dict[str, list[str]] = {}
    copies: dict[str, int] = {}
    for order_id, key in stored:
        by_key.setdefault(key, []).append(order_id)
        copies[order_id] = copies.get(order_id, 0) + 1
    acks = dict(acknowledged)
    twice = [key for key, n in Counter(key for key, _ in acknowledged).items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} keys were acknowledged with 201 twice, e.g. {twice[:3]}")
    missing = [order_id for order_id in acks.values() if order_id not in copies]
    if missing:
        problems.append(f"{len(missing)} acknowledged orders are not stored, e.g. {missing[:3]}")
    doubled = [key for key in acks if len(by_key.get(key, ())) > 1]
    if doubled:
        problems.append(
            f"{len(doubled)} keys produced more than one order, e.g. "
            + ", ".join(f"{key}: {by_key[key]}" for key in doubled[:3])
        )
    repeated = [order_id for order_id, n in copies.items() if n > 1]
    if repeated:
        problems.append(f"{len(repeated)} orders are stored more than once, e.g. {repeated[:3]}")
    wrong = [r for r in replays if r.status != 200 or acks.get(r.key) != r.order_id]
    if wrong:
        problems.append(
            f"{len(wrong)} replays did not return their key's order, e.g. "
            + ", ".join(f"{r.key} -> {r.status} {r.order_id} (acknowledged {acks.get(r.key)})"
                        for r in wrong[:3])
        )  # fmt: skip
    return problems


def _table(counts: Mapping[tuple[str, int], int]) -> str:
    return ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(counts.items()))
