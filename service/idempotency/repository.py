"""All SQL of the idempotency_keys table, behind the IdempotencyRepository interface."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from service.kit.db import Session, Sql


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """What a completed request with a key answered, and the body it answered."""

    customer_id: str
    key: str
    fingerprint: str
    status_code: int
    body: str
    created_at: datetime
    expires_at: datetime


class IdempotencyRepository(Protocol):
    async def try_lock(self, customer_id: str, key: str) -> bool:
        """Take the key for the rest of the transaction; False if another request holds it."""

    async def find(self, customer_id: str, key: str) -> StoredResponse | None: ...

    async def save(self, response: StoredResponse) -> None:
        """Store the response, replacing an expired one under the same key."""

    async def purge_expired(self, now: datetime, *, limit: int) -> int:
        """Delete up to `limit` expired keys; how many went."""


_TRY_LOCK = Sql(
    pg="SELECT pg_try_advisory_xact_lock($1) AS locked",
    # BEGIN IMMEDIATE already holds SQLite's one write lock for the whole transaction, so the
    # key is ours; the parameter is only bound to keep one argument list for both dialects.
    sqlite="SELECT ?1 IS NOT NULL AS locked",
)
_FIND = Sql.portable(
    "SELECT fingerprint, status_code, response_body, created_at, expires_at "
    "FROM idempotency_keys WHERE customer_id = $1 AND idempotency_key = $2"
)
_SAVE = Sql.portable(
    "INSERT INTO idempotency_keys (customer_id, idempotency_key, fingerprint, status_code, "
    "response_body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (customer_id, idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint, "
    "status_code = excluded.status_code, response_body = excluded.response_body, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at"
)
# In batches, so a large backlog never holds locks for long.
_PURGE = Sql.portable(
    "DELETE FROM idempotency_keys WHERE (customer_id, idempotency_key) IN ("
    "SELECT customer_id, idempotency_key FROM idempotency_keys WHERE expires_at <= $1 LIMIT $2)"
)


def lock_id(customer_id: str, key: str) -> int:
    """A signed 64-bit advisory lock id for the (customer, key) pair."""
    digest = hashlib.blake2b(f"{customer_id}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SqlIdempotencyRepository:
    """IdempotencyRepository over either database's Session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    async def try_lock(self, customer_id: str, key: str) -> bool:
        row = await self._session.fetch_one(_TRY_LOCK, lock_id(customer_id, key))
        return row is not None and bool(row["locked"])

    async def find(self, customer_id: str, key: str) -> StoredResponse | None:
        row = await self._session.fetch_one(_FIND, customer_id, key)
        if row is None:
            return None
        return StoredResponse(
            customer_id=customer_id,
            key=key,
            fingerprint=row["fingerprint"],
            status_code=row["status_code"],
            body=row["response_body"],
            created_at=self._session.to_datetime(row["created_at"]),
            expires_at=self._session.to_datetime(row["expires_at"]),
        )

    async def save(self, response: StoredResponse) -> None:
        await self._session.execute(
            _SAVE,
            response.customer_id,
            response.key,
            response.fingerprint,
            response.status_code,
            response.body,
            response.created_at,
            response.expires_at,
        )

    async def purge_expired(self, now: datetime, *, limit: int) -> int:
        return await self._session.execute(_PURGE, now, limit)
