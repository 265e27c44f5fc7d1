"""Ratios with bootstrap confidence intervals, and the verdict a target gets from one.

Stdlib only (`random`, `statistics`): the unit tests run in the project's environment, where
numpy is not locked.

A ratio compares two servers measured in the same rounds. Rounds are the unit that is
resampled: each round measured both servers under nearly the same conditions, so resampling
rounds (not samples of each server apart) keeps that pairing and lets the drift between rounds
cancel out of the interval.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["met", "missed", "not shown"]


@dataclass(frozen=True, slots=True)
class Interval:
    """A ratio's point estimate (on all rounds) and its bootstrap interval."""

    point: float
    low: float
    high: float
    rounds: int

    def verdict(self, target: float) -> Verdict:
        """`met` when the whole interval is at or above `target`, `missed` when it is all below,
        `not shown` when it crosses the target (the run cannot tell)."""
        if self.low >= target:
            return "met"
        if self.high < target:
            return "missed"
        return "not shown"

    def text(self) -> str:
        return f"{self.point:.2f} [{self.low:.2f}, {self.high:.2f}]"


def _ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    return statistics.median(numerator) / statistics.median(denominator)


def paired_ratio(
    numerator: Sequence[float],
    denominator: Sequence[float],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """median(numerator) / median(denominator), with a percentile bootstrap interval over
    rounds: `numerator[i]` and `denominator[i]` were measured in the same round i.

    The seed is fixed so that the same samples always give the same interval (a report
    rebuilt from raw samples reads the same)."""
    if len(numerator) != len(denominator):
        raise ValueError(
            f"paired samples differ in length: {len(numerator)} and {len(denominator)}"
        )
    if not numerator:
        raise ValueError("no samples")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} is not between 0 and 1")
    if min(denominator) <= 0:
        raise ValueError("a denominator sample is not positive")
    n = len(numerator)
    point = _ratio(numerator, denominator)
    if n == 1:
        return Interval(point, point, point, 1)
    rng = random.Random(seed)
    estimates = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        estimates.append(_ratio([numerator[i] for i in picks], [denominator[i] for i in picks]))
    estimates.sort()
    tail = (1 - confidence) / 2
    low = estimates[int(tail * (resamples - 1))]
    high = estimates[round((1 - tail) * (resamples - 1))]
    return Interval(point, low, high, n)


def balanced_orders(
    keys: Sequence[str], rounds: int, *, seed: int | None = None
) -> list[list[str]]:
    """`rounds` orders of `keys` in which every key takes every position equally often: a
    cyclic Latin square on one shuffled order, repeated. `rounds` is raised to the next
    multiple of len(keys) (otherwise some position would favour some server)."""
    if not keys:
        return []
    base = list(keys)
    random.Random(seed).shuffle(base)
    n = len(base)
    total = -(-max(rounds, 1) // n) * n
    return [base[r % n :] + base[: r % n] for r in range(total)]
