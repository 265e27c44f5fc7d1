"""The idempotency rules: one key, one request body, one stored response, until it expires."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Protocol

import orjson
from pydantic import BaseModel

from service.idempotency.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from service.idempotency.repository import IdempotencyRepository, StoredResponse


class IdempotencyUnit(Protocol):
    """What an idempotent operation needs from its unit of work."""

    @property
    def idempotency(self) -> IdempotencyRepository: ...


def fingerprint(body: BaseModel) -> str:
    """The body's meaning, not its bytes: key order, whitespace and explicit defaults don't count."""
    canonical = orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


class IdempotencyService:
    """Decides, inside the caller's transaction, whether a keyed request runs or replays."""

    def __init__(self, *, ttl: timedelta) -> None:
        self._ttl = ttl

    async def begin(
        self,
        unit: IdempotencyUnit,
        *,
        customer_id: str,
        key: str,
        fingerprint: str,
        now: datetime,
    ) -> StoredResponse | None:
        """The stored response to replay, or None when the request should run now.

        Raises IdempotencyKeyInFlight while another transaction holds the key and
        IdempotencyKeyReused when the key was used with another body.
        """
        repo = unit.idempotency
        if not await repo.try_lock(customer_id, key):
            raise IdempotencyKeyInFlight()
        # Read after the lock: the statement's snapshot then includes the holder's commit.
        stored = await repo.find(customer_id, key)
        if stored is None or stored.expires_at <= now:
            return None
        if not hmac.compare_digest(stored.fingerprint, fingerprint):
            raise IdempotencyKeyReused()
        return stored

    async def complete(
        self,
        unit: IdempotencyUnit,
        *,
        customer_id: str,
        key: str,
        fingerprint: str,
        status_code: int,
        body: str,
        now: datetime,
    ) -> None:
        """Store the response in the same transaction as the work it describes."""
        await unit.idempotency.save(
            StoredResponse(
                customer_id=customer_id,
                key=key,
                fingerprint=fingerprint,
                status_code=status_code,
                body=body,
                created_at=now,
                expires_at=now + self._ttl,
            )
        )
