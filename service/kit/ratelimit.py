"""Token buckets per key (a principal, a client address), in process memory, bounded in size.

Each worker process keeps its own buckets: with N uvicorn workers a client can get up to N
times the configured rate. A shared store (Redis, the database) would make the limit exact
across processes but costs a round trip on every request; the limit is a guard against abuse,
not a billing meter, so O(1) work in memory is the trade taken here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from service.kit.problems import TooManyRequests

# The client address of the request being served (uvicorn's `scope["client"]` host, which
# honours X-Forwarded-For only from --forwarded-allow-ips). Set by RequestContextMiddleware.
client_host_var: ContextVar[str] = ContextVar("client_host", default="")

Ticker = Callable[[], float]
"""Seconds on a monotonic clock: `time.monotonic` in production, a fake in tests."""


@dataclass(frozen=True, slots=True)
class Rate:
    """A sustained rate in tokens per second and a bucket of `burst` tokens."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a rate needs per_second > 0 and burst >= 1")


class TokenBuckets:
    """One token bucket per key; `take` is O(1), eviction amortised O(1).

    A bucket idle for `burst / per_second` seconds is full again, which is what a new bucket
    is, so dropping it changes nothing: when the map reaches `max_keys` those go first. If the
    map is still too full (more active keys than `max_keys`), the oldest created go, which
    errs on the lenient side (a dropped bucket comes back full) rather than grow without end.
    """

    def __init__(self, rate: Rate, *, max_keys: int = 100_000, now: Ticker = time.monotonic):
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.rate = rate
        self.max_keys = max_keys
        self._per_second = rate.per_second
        self._burst = float(rate.burst)
        self._refill_seconds = rate.burst / rate.per_second
        self._now = now
        # key -> [tokens, last update]; a list, so an update is two stores and no allocation.
        self._buckets: dict[str, list[float]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Spend one token: 0.0 if there was one, else the seconds until there will be."""
        now = self._now()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._evict(now)
            self._buckets[key] = [self._burst - 1.0, now]
            return 0.0
        tokens = bucket[0] + (now - bucket[1]) * self._per_second
        if tokens > self._burst:
            tokens = self._burst
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self._per_second

    def wait(self, key: str) -> float:
        """The seconds until `key` has a token, without spending one (0.0: it has one now)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        tokens = bucket[0] + (self._now() - bucket[1]) * self._per_second
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self._per_second

    def _evict(self, now: float) -> None:
        idle_since = now - self._refill_seconds
        for key in [k for k, (_, last) in self._buckets.items() if last <= idle_since]:
            del self._buckets[key]
        # Leave room for a quarter of the map, so the sweep (O(n)) runs at most every n/4 new
        # keys: amortised O(1) per request.
        excess = len(self._buckets) - (self.max_keys - max(1, self.max_keys // 4))
        if excess > 0:
            for key in list(self._buckets)[:excess]:
                del self._buckets[key]


def too_many_requests(wait_seconds: float, detail: str) -> TooManyRequests:
    """The 429 problem, its Retry-After the whole seconds until a token is due (at least 1)."""
    return TooManyRequests(detail, retry_after_seconds=max(1, math.ceil(wait_seconds)))
