"""The soak's verdicts fail on deliberate regressions: a 5xx, a p99 that doubles, RSS that
grows, an acknowledged order missing or doubled. Fast, no server: runs in make test."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.long.soak import checks
from tests.long.soak.checks import Replay
from tests.long.soak.traffic import Traffic

HEALTHY = {
    ("create", 201): 3500,
    ("replay", 200): 1000,
    ("get", 200): 3000,
    ("cancel", 200): 700,
    ("cancel", 409): 300,
    ("list", 200): 300,
    ("page", 200): 1200,
}
NO_SOCKET_ERRORS = {"connect": 0, "read": 0, "write": 0, "status": 300, "timeout": 0}


def test_healthy_answers_pass() -> None:
    assert checks.check_responses(HEALTHY, NO_SOCKET_ERRORS) == []


def test_one_5xx_fails() -> None:
    problems = checks.check_responses({**HEALTHY, ("get", 500): 1}, NO_SOCKET_ERRORS)
    assert problems == ["1 answers were 5xx: get 500: 1"]


@pytest.mark.parametrize("error", ["connect", "read", "write", "timeout"])
def test_a_socket_error_fails(error: str) -> None:
    problems = checks.check_responses(HEALTHY, {**NO_SOCKET_ERRORS, error: 2})
    assert problems == [f"socket errors: {{'{error}': 2}}"]


def test_an_unexpected_4xx_fails() -> None:
    # A rate limiter left on, or a token that expired mid-run: the soak measured something else.
    problems = checks.check_responses({**HEALTHY, ("create", 429): 5}, NO_SOCKET_ERRORS)
    assert problems == ["5 unexpected answers: create 429: 5"]


def test_a_server_that_falls_behind_fails() -> None:
    assert checks.check_throughput(1000, 990) == []
    assert "did not keep up" in checks.check_throughput(1000, 900)[0]


def minute(p99_ms: float, *, start: float, rng: random.Random) -> list[tuple[float, float]]:
    """A minute of samples at 1000 req/s whose p99 is about p99_ms."""
    samples = []
    for n in range(60_000):
        slow = n % 50 == 0  # 2% of requests at p99_ms, the rest well below it
        samples.append((start + n / 1000, p99_ms * (1.0 if slow else rng.uniform(0.1, 0.9))))
    return samples


def p99s(samples: list[tuple[float, float]], start: float) -> list[float]:
    return checks.window_p99s(samples, start=start, end=start + 60)


def test_a_steady_p99_passes() -> None:
    rng = random.Random(1)
    samples = minute(20, start=0, rng=rng) + minute(22, start=540, rng=rng)
    verdict = checks.check_latency(p99s(samples, 0), p99s(samples, 540))
    assert verdict.problems == []
    assert verdict.first == pytest.approx(20, rel=0.1)
    assert verdict.last == pytest.approx(22, rel=0.1)


def test_a_p99_that_doubles_fails() -> None:
    rng = random.Random(2)
    samples = minute(20, start=0, rng=rng) + minute(40, start=540, rng=rng)
    verdict = checks.check_latency(p99s(samples, 0), p99s(samples, 540))
    assert len(verdict.problems) == 1
    assert "more than 1.5x" in verdict.problems[0]


def test_one_noisy_window_does_not_fail() -> None:
    # A neighbour's burst stalls 10 s of the last minute: one window of six moves, the median
    # does not. A server that slows down moves every window (the test above).
    rng = random.Random(3)
    last = minute(20, start=540, rng=rng)
    last = [(at, ms * 10 if at < 550 else ms) for at, ms in last]
    verdict = checks.check_latency(p99s(minute(20, start=0, rng=rng), 0), p99s(last, 540))
    assert verdict.problems == []


def rss_series(
    start_mib: float, mib_per_minute: float, seconds: int = 600
) -> list[tuple[float, int]]:
    return [
        (float(t), int((start_mib + mib_per_minute * t / 60) * 1024)) for t in range(0, seconds, 2)
    ]


def test_flat_rss_passes() -> None:
    memories, problems = checks.check_rss(
        {1: rss_series(80, 0.1), 2: rss_series(79, 0)}, warmup=60, end=600
    )
    assert problems == []
    assert [(m.pid, round(m.start_kib / 1024), round(m.end_kib / 1024)) for m in memories] == [
        (1, 80, 81),
        (2, 79, 79),
    ]


def test_growing_rss_fails() -> None:
    # 4 MiB a minute, about 7 KB a request at 1,000 req/s per worker: +36 MiB over nine minutes.
    _, problems = checks.check_rss({1: rss_series(80, 0), 2: rss_series(80, 4)}, warmup=60, end=600)
    assert len(problems) == 1
    assert problems[0] == "worker 2 grew from 84.3 MiB to 119.6 MiB (limit 109.1 MiB)"


def test_a_worker_that_was_replaced_fails() -> None:
    # A crashed worker comes back with another pid: neither covers the whole run.
    first, second = rss_series(80, 0)[:100], rss_series(80, 0)[150:]
    _, problems = checks.check_rss({1: first, 3: second}, warmup=60, end=600)
    assert problems == [
        "worker 1 was not there for the whole run",
        "worker 3 was not there for the whole run",
    ]


ACKS = [(f"k{n}", f"id{n}") for n in range(100)]
STORED = [(order_id, key) for key, order_id in ACKS] + [("id-unacknowledged", "k-in-flight")]
REPLAYS = [Replay("k1", 200, "id1"), Replay("k2", 200, "id2")]


def test_every_acknowledged_order_stored_once_passes() -> None:
    assert checks.check_orders(ACKS, REPLAYS, STORED) == []


def test_a_missing_order_fails() -> None:
    problems = checks.check_orders(ACKS, REPLAYS, [row for row in STORED if row[0] != "id7"])
    assert problems == ["1 acknowledged orders are not stored, e.g. ['id7']"]


def test_a_key_with_two_orders_fails() -> None:
    problems = checks.check_orders(ACKS, REPLAYS, [*STORED, ("id-second", "k7")])
    assert problems == ["1 keys produced more than one order, e.g. k7: ['id7', 'id-second']"]


def test_an_order_stored_twice_fails() -> None:
    problems = checks.check_orders(ACKS, REPLAYS, [*STORED, ("id7", "k7")])
    assert "1 orders are stored more than once, e.g. ['id7']" in problems


def test_a_key_acknowledged_twice_fails() -> None:
    problems = checks.check_orders([*ACKS, ("k7", "id-second")], REPLAYS, STORED)
    assert problems[0] == "1 keys were acknowledged with 201 twice, e.g. ['k7']"


@pytest.mark.parametrize(
    "replay", [Replay("k1", 200, "id2"), Replay("k1", 201, "id-new"), Replay("k1", 409, "-")]
)
def test_a_replay_that_does_not_return_its_order_fails(replay: Replay) -> None:
    problems = checks.check_orders(ACKS, [*REPLAYS, replay], STORED)
    assert len(problems) == 1
    assert problems[0].startswith("1 replays did not return their key's order")


def test_records_are_read_back(tmp_path: Path) -> None:
    # The lines soak/mix.lua writes: kind status due_us sent_us answered_us key order_id.
    (tmp_path / "thread-1.log").write_text(
        "create 201 10000000 10000000 10004000 t-1-1 id-a\n"
        "replay 200 10010000 10012000 10015000 t-1-1 id-a\n"
        "get 500 10020000 10020000 10030000 - -\n"
    )
    traffic = Traffic(name="soak", origin=10.0, seconds=1.0, wrk_errors={}, wrk_cpu_seconds=0.0)
    traffic.read(tmp_path)
    assert traffic.acknowledged == [("t-1-1", "id-a")]
    assert traffic.replays == [Replay("t-1-1", 200, "id-a")]
    assert list(traffic.due) == [0.0, 0.01, 0.02]
    assert list(traffic.latency) == [4.0, 5.0, 10.0]  # from due
    assert list(traffic.service) == [4.0, 3.0, 10.0]  # from sent
    assert checks.check_responses(traffic.statuses, {}) == ["1 answers were 5xx: get 500: 1"]


def test_minute_p99s_for_the_report() -> None:
    samples = [(m * 60 + n / 100, float(m * 100 + n % 100)) for m in range(3) for n in range(6000)]
    assert checks.minute_p99s(samples, 150) == [98.0, 198.0, 298.0]
