"""The retry policy: exponential backoff with jitter, up to a number of attempts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from service.kit.settings import Settings


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt n + 1 waits min(max, base * 2^(n-1)), drawn between half and all of it, so that
    receivers that come back are not hit by every queued retry at the same instant."""

    max_attempts: int
    base_seconds: float
    max_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.webhooks_max_attempts,
            base_seconds=settings.webhooks_backoff_base_seconds,
            max_seconds=settings.webhooks_backoff_max_seconds,
        )

    def delay(self, attempt: int, rng: random.Random) -> timedelta | None:
        """How long after failed attempt number `attempt` to try again; None when it was the last."""
        if attempt >= self.max_attempts:
            return None
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** (attempt - 1))
        return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))
