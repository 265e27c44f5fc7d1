"""Pins: the customers' pinned API versions as the version middleware reads them, cached briefly.

A pin lives in the database so every worker and host agrees on it; each process keeps a
bounded, short-lived copy so that the steady state (a pinned customer's next request) costs no
query. A pin moved in another process is seen here once the copy expires (`ttl_seconds`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from service.kit.clock import Clock
from service.kit.db import Transactional
from service.versions.repository import PinRecord, PinRepository


class PinsUnit(Protocol):
    @property
    def pins(self) -> PinRepository: ...


class Pins:
    """The pinned versions, read through a per-process cache of at most `max_entries`
    customers, each trusted for `ttl_seconds` (0: no cache). `ticker` is a monotonic clock in
    seconds (tests pass a fake)."""

    def __init__(
        self,
        units: Transactional[PinsUnit],
        clock: Clock,
        *,
        ttl_seconds: float,
        max_entries: int = 100_000,
        ticker: Callable[[], float] = time.monotonic,
    ) -> None:
        self._units = units
        self._clock = clock
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._ticker = ticker
        # customer id -> (version, expiry on the ticker), least recently stored first.
        self._cache: OrderedDict[str, tuple[str, float]] = OrderedDict()
        # Bumped by every move: a read that began before a move must not store what it read.
        self._moves = 0

    async def pinned(self, customer_id: str) -> str | None:
        """The customer's pinned version, or None while it has none (an absence is not cached:
        the customer's next request pins it)."""
        cached = self.cached(customer_id)
        if cached is not None:
            return cached
        moves = self._moves
        async with self._units(write=False) as unit:
            version = await unit.pins.get(customer_id)
        if version is not None:
            self._store(customer_id, version, moves)
        return version

    async def ensure(self, customer_id: str, version: str) -> str:
        """The customer's pinned version, pinning it to `version` first if it has none; an
        existing pin never moves. One statement on a cache miss, none on a hit."""
        cached = self.cached(customer_id)
        if cached is not None:
            return cached
        moves = self._moves
        async with self._units(write=True, single_statement=True) as unit:
            stored = await unit.pins.pin_if_absent(customer_id, version, self._clock.now())
        self._store(customer_id, stored, moves)
        return stored

    async def record(self, customer_id: str) -> PinRecord | None:
        """The customer's whole pin, times included, from the database (never cached)."""
        async with self._units(write=False) as unit:
            return await unit.pins.record(customer_id)

    async def move(self, customer_id: str, version: str) -> PinRecord:
        """Pin the customer to `version` (pinning it now if it had none). This process sees the
        new pin at once; the others within `ttl_seconds`."""
        self._moves += 1
        self._cache.pop(customer_id, None)
        async with self._units(write=True, single_statement=True) as unit:
            moved = await unit.pins.move(customer_id, version, self._clock.now())
        # Bumped again: a read that began while the move was in flight may hold the old pin.
        self._moves += 1
        self._store(customer_id, moved.version, self._moves)
        return moved

    def cached(self, customer_id: str) -> str | None:
        """The customer's pin if this process holds a fresh copy; None means ask `pinned`."""
        entry = self._cache.get(customer_id)
        if entry is None:
            return None
        version, expires = entry
        if self._ticker() >= expires:
            del self._cache[customer_id]
            return None
        return version

    def _store(self, customer_id: str, version: str, moves: int) -> None:
        if self._ttl <= 0 or moves != self._moves:
            return
        self._cache[customer_id] = (version, self._ticker() + self._ttl)
        self._cache.move_to_end(customer_id)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
