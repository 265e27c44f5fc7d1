"""Time and identity as seams: a Clock and an IdGenerator that tests can replace."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch: exact, unlike a float timestamp."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware and in UTC."""


class IdGenerator(Protocol):
    def new_id(self) -> UUID: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid7Generator:
    """RFC 9562 version 7 ids: time-ordered, so new rows land at the right edge of the index."""

    def new_id(self) -> UUID:
        millis = time.time_ns() // 1_000_000
        rand = int.from_bytes(os.urandom(10), "big")
        value = (millis & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76  # version
        value |= (rand >> 68) << 64  # 12 bits rand_a
        value |= 0b10 << 62  # variant
        value |= rand & ((1 << 62) - 1)  # 62 bits rand_b
        return UUID(int=value)
