"""The SQL of webhook signing secrets: rotating one endpoint's, and rekey's pass over all."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from service.kit.db import Session, Sql
from service.webhooks.records import EndpointRecord, StoredSecrets
from service.webhooks.repository import ENDPOINT_COLUMNS, endpoint_from_row

# In an UPDATE every right-hand `secret` is the row's value before it (both databases).
_ROTATE_KEEPING = Sql.portable(
    "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = $3, "
    f"secret = $4 WHERE id = $1 AND customer_id = $2 RETURNING {ENDPOINT_COLUMNS}"
)
_ROTATE_DROPPING = Sql.portable(
    "UPDATE webhook_endpoints SET previous_secret = NULL, previous_secret_expires_at = NULL, "
    f"secret = $3 WHERE id = $1 AND customer_id = $2 RETURNING {ENDPOINT_COLUMNS}"
)
_STORED = "SELECT id, secret, previous_secret FROM webhook_endpoints"
_FIRST_STORED = Sql.portable(f"{_STORED} ORDER BY id LIMIT $1")
_NEXT_STORED = Sql.portable(f"{_STORED} WHERE id > $1 ORDER BY id LIMIT $2")
# Compare-and-set: a rotation between rekey's read and this write wins, and rekey counts a miss.
_RESEAL = Sql(
    pg="UPDATE webhook_endpoints SET secret = $2, previous_secret = $3 WHERE id = $1 "
    "AND secret = $4 AND previous_secret IS NOT DISTINCT FROM $5",
    sqlite="UPDATE webhook_endpoints SET secret = ?2, previous_secret = ?3 WHERE id = ?1 "
    "AND secret = ?4 AND previous_secret IS ?5",
)


class SecretsRepository(Protocol):
    async def rotate(
        self,
        endpoint_id: UUID,
        customer_id: str,
        *,
        secret: str,
        previous_expires_at: datetime | None,
    ) -> EndpointRecord | None:
        """Make `secret` the customer's endpoint's current one; the current one becomes the
        previous until `previous_expires_at` (None: dropped now, with any older one). None if
        the customer has no such endpoint."""

    async def stored(self, *, after: UUID | None, limit: int) -> list[StoredSecrets]:
        """Every endpoint's stored secrets in id order, `limit` at a time."""

    async def reseal(self, was: StoredSecrets, now: StoredSecrets) -> bool:
        """Store `now`'s values if the row still holds `was`'s; whether it did."""


class SqlSecretsRepository:
    """SecretsRepository over either database's Session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    async def rotate(
        self,
        endpoint_id: UUID,
        customer_id: str,
        *,
        secret: str,
        previous_expires_at: datetime | None,
    ) -> EndpointRecord | None:
        if previous_expires_at is None:
            row = await self._session.fetch_one(_ROTATE_DROPPING, endpoint_id, customer_id, secret)
        else:
            row = await self._session.fetch_one(
                _ROTATE_KEEPING, endpoint_id, customer_id, previous_expires_at, secret
            )
        return None if row is None else endpoint_from_row(self._session, row)

    async def stored(self, *, after: UUID | None, limit: int) -> list[StoredSecrets]:
        s = self._session
        if after is None:
            rows = await s.fetch_all(_FIRST_STORED, limit)
        else:
            rows = await s.fetch_all(_NEXT_STORED, after, limit)
        return [
            StoredSecrets(s.to_uuid(row["id"]), row["secret"], row["previous_secret"])
            for row in rows
        ]

    async def reseal(self, was: StoredSecrets, now: StoredSecrets) -> bool:
        changed = await self._session.execute(
            _RESEAL, was.id, now.secret, now.previous_secret, was.secret, was.previous_secret
        )
        return changed > 0
