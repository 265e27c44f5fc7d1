"""The benchmark's statistics: bootstrap intervals on paired ratios, the verdict rule, and the
balanced server orders."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bench.httpbench.stats import Interval, balanced_orders, paired_ratio


def test_identical_samples_give_one_and_meet_a_target_of_one():
    samples = [410.0, 395.0, 420.0, 400.0, 405.0]
    interval = paired_ratio(samples, samples)
    assert (interval.point, interval.low, interval.high) == (1.0, 1.0, 1.0)
    assert interval.verdict(1.0) == "met"


def test_a_clear_ratio_lies_inside_a_narrow_interval():
    rng = random.Random(7)
    denominator = [100 * rng.uniform(0.95, 1.05) for _ in range(12)]
    numerator = [2 * d * rng.uniform(0.98, 1.02) for d in denominator]
    interval = paired_ratio(numerator, denominator)
    assert interval.low <= interval.point <= interval.high
    assert 1.9 < interval.low < 2.0 < interval.high < 2.1
    assert interval.rounds == 12
    assert interval.verdict(0.9) == "met"
    assert interval.verdict(3) == "missed"


def test_noisy_rounds_whose_interval_crosses_the_target_are_not_shown():
    # Half the rounds say 0.8, half 1.0: the median ratio is near 0.9, and the data cannot
    # tell whether it is above.
    denominator = [100.0] * 10
    numerator = [80.0, 100.0] * 5
    interval = paired_ratio(numerator, denominator)
    assert interval.low < 0.9 < interval.high
    assert interval.verdict(0.9) == "not shown"


def test_more_noise_gives_a_wider_interval():
    rng = random.Random(3)
    base = [100.0] * 15

    def width(spread: float) -> float:
        numerator = [b * rng.uniform(1 - spread, 1 + spread) for b in base]
        found = paired_ratio(numerator, base)
        return found.high - found.low

    assert width(0.3) > 3 * width(0.03)


def test_the_interval_is_the_same_for_the_same_samples():
    rng = random.Random(1)
    numerator = [rng.uniform(90, 110) for _ in range(8)]
    denominator = [rng.uniform(90, 110) for _ in range(8)]
    assert paired_ratio(numerator, denominator) == paired_ratio(numerator, denominator)
    assert paired_ratio(numerator, denominator, seed=1) != paired_ratio(
        numerator, denominator, seed=2
    )


def test_one_round_has_no_spread_to_resample():
    assert paired_ratio([3.0], [2.0]) == Interval(1.5, 1.5, 1.5, 1)


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        ([1.0, 2.0], [1.0], "differ in length"),
        ([], [], "no samples"),
        ([1.0], [0.0], "not positive"),
    ],
)
def test_bad_samples_are_refused(numerator, denominator, message):
    with pytest.raises(ValueError, match=message):
        paired_ratio(numerator, denominator)


def test_a_confidence_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="confidence"):
        paired_ratio([1.0, 2.0], [1.0, 2.0], confidence=1.5)


@pytest.mark.parametrize(
    ("low", "high", "target", "expected"),
    [
        (0.90, 0.95, 0.9, "met"),  # the bound on the target counts as reaching it
        (0.91, 0.95, 0.9, "met"),
        (0.85, 0.90, 0.9, "not shown"),
        (0.85, 0.95, 0.9, "not shown"),
        (0.80, 0.89, 0.9, "missed"),
    ],
)
def test_the_verdict_rule(low, high, target, expected):
    assert Interval((low + high) / 2, low, high, 5).verdict(target) == expected


def test_every_server_takes_every_position_equally_often():
    keys = ["harbor", "floor", "2b", "2a", "connexion"]
    orders = balanced_orders(keys, 10, seed=4)
    assert len(orders) == 10
    assert all(sorted(order) == sorted(keys) for order in orders)
    for position in range(len(keys)):
        assert Counter(order[position] for order in orders) == dict.fromkeys(keys, 2)


def test_rounds_are_raised_to_a_multiple_of_the_servers():
    orders = balanced_orders(["a", "b", "c"], 4, seed=0)
    assert len(orders) == 6
    assert balanced_orders([], 3) == []
