"""The idempotency rules: one key, one request body, one stored response, until it expires."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Protocol

import orjson
from pydantic import BaseModel

from service.idempotency.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from service.idempotency.repository import IdempotencyRepository, StoredResponse, lock_id


class IdempotencyUnit(Protocol):
    """What an idempotent operation needs from its unit of work."""

    @property
    def idempotency(self) -> IdempotencyRepository: ...


def fingerprint(body: BaseModel) -> str:
    """The body's meaning, not its bytes: key order, whitespace and explicit defaults don't count."""
    canonical = orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


class IdempotencyService:
    """The rules of a key: its lock, its lifetime, and when a stored response is replayed.

    The claim itself (take the lock, store the response unless a live one is there) is written
    by the domain that does the work, in the same statement as the work: see
    orders.repository.KeyClaim.
    """

    def __init__(self, *, ttl: timedelta) -> None:
        self._ttl = ttl

    def lock_id(self, customer_id: str, key: str) -> int:
        """The advisory lock a request holds while it writes under the key (PostgreSQL)."""
        return lock_id(customer_id, key)

    def expires_at(self, now: datetime) -> datetime:
        """Until when a response stored now is replayed."""
        return now + self._ttl

    async def replay(
        self,
        unit: IdempotencyUnit,
        *,
        customer_id: str,
        key: str,
        fingerprint: str,
        now: datetime,
        in_flight: bool,
    ) -> StoredResponse:
        """The stored response of a key that a request could not claim, to answer again.

        Raises IdempotencyKeyInFlight when another request holds the key (`in_flight`) or its
        response has expired or gone since (retry then), and IdempotencyKeyReused when the key
        was used with another body. Called after the statement that found the key taken, so it
        reads that holder's commit.
        """
        if in_flight:
            raise IdempotencyKeyInFlight()
        stored = await unit.idempotency.find(customer_id, key)
        if stored is None or stored.expires_at <= now:
            raise IdempotencyKeyInFlight()
        if not hmac.compare_digest(stored.fingerprint, fingerprint):
            raise IdempotencyKeyReused()
        return stored
