"""Removing expired idempotency keys: a loop the server runs, and `python -m` for cron."""

from __future__ import annotations

import asyncio

import structlog

from service.idempotency.service import IdempotencyUnit
from service.kit.clock import Clock
from service.kit.db import Transactional

BATCH = 1000

log = structlog.get_logger(__name__)


async def purge_expired(units: Transactional[IdempotencyUnit], clock: Clock) -> int:
    """Delete every key expired by now, a batch per transaction; how many went."""
    total = 0
    while True:
        async with units(write=True) as unit:
            deleted = await unit.idempotency.purge_expired(clock.now(), limit=BATCH)
        total += deleted
        if deleted < BATCH:
            return total


async def purge_forever(
    units: Transactional[IdempotencyUnit], clock: Clock, *, interval_seconds: float
) -> None:
    """Every server process runs this; concurrent purges only delete the same rows once."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            deleted = await purge_expired(units, clock)
        except Exception:
            # A failed sweep is retried at the next interval; it must not end the loop.
            log.exception("idempotency.purge_failed")
            continue
        if deleted:
            log.info("idempotency.purged", deleted=deleted)
