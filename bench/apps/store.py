"""The order data layer of the hand-written asyncpg apps (2b, connexion, the floor): the same
statements as Harbor's repositories, on one asyncpg pool, and the same idempotency rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from bench.apps import common
from bench.apps.common import Toolkit, fingerprint, risk_score
from service.idempotency.repository import lock_id
from service.kit.clock import Uuid7Generator
from service.kit.pagination import InvalidCursor, Keyset

# The public columns only, rendered to JSON here with orjson, a page in one call (as Harbor
# does: cheaper in total than PostgreSQL's json_build_object).
PUBLIC = (
    "CAST(id AS text) AS id, customer_id, amount_cents, currency, status, description AS statement_descriptor, "
    "metadata, payment_method, created_at, updated_at"
)
GET = f"SELECT {PUBLIC} FROM orders WHERE id = $1 AND customer_id = $2"
FIRST_PAGE = (
    f"SELECT {PUBLIC} FROM orders WHERE customer_id = $1 "
    "ORDER BY orders.created_at DESC, orders.id DESC LIMIT $2"
)
NEXT_PAGE = (
    f"SELECT {PUBLIC} FROM orders "
    "WHERE customer_id = $1 AND (created_at, id) < ($2, $3) "
    "ORDER BY orders.created_at DESC, orders.id DESC LIMIT $4"
)


def public(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """The rows as models.Order values, unpacked by position as Harbor's repository does."""
    loads = orjson.loads
    return [
        {
            "id": id_,
            "customer_id": customer_id,
            "amount_cents": amount_cents,
            "currency": currency,
            "status": status,
            "statement_descriptor": description,
            "metadata": loads(metadata),
            "payment_method": None if payment_method is None else loads(payment_method),
            "created_at": created_at,
            "updated_at": updated_at,
        }
        for (
            id_, customer_id, amount_cents, currency, status, description, metadata,
            payment_method, created_at, updated_at,
        ) in rows
    ]  # fmt: skip


def render(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"
FIND_KEY = (
    "SELECT fingerprint, status_code, response_body, expires_at FROM idempotency_keys "
    "WHERE customer_id = $1 AND idempotency_key = $2"
)
INSERT_ORDER = (
    "INSERT INTO orders (id, customer_id, amount_cents, currency, status, description, metadata, "
    "payment_method, risk_score, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $9)"
)
INSERT_EVENT = (
    "INSERT INTO outbox_events (id, event_type, aggregate_id, payload, status, attempts, "
    "created_at, available_at) VALUES ($1, 'order.created', $2, $3, 'pending', 0, $4, $4)"
)
SAVE_KEY = (
    "INSERT INTO idempotency_keys (customer_id, idempotency_key, fingerprint, status_code, "
    "response_body, created_at, expires_at) VALUES ($1, $2, $3, 201, $4, $5, $6) "
    "ON CONFLICT (customer_id, idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint, "
    "status_code = excluded.status_code, response_body = excluded.response_body, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at"
)

# Every server's POST: the same writes as one statement, as Harbor does it (lock, claim the key,
# then the order and its event). The transaction of seven round trips most teams write is kept
# as an extra row of the comparison (2b-tx), never as a peer's figure.
CREATE_AT_ONCE = (
    "WITH l AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($10::bigint) AS ok), "
    "k AS (INSERT INTO idempotency_keys (customer_id, idempotency_key, fingerprint, status_code, "
    "response_body, created_at, expires_at) "
    "SELECT $2, $11, $12, 201, $13, $9::timestamptz, $14::timestamptz FROM l WHERE ok "
    "ON CONFLICT (customer_id, idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint, "
    "status_code = excluded.status_code, response_body = excluded.response_body, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at "
    "WHERE idempotency_keys.expires_at <= excluded.created_at RETURNING 1), "
    "o AS (INSERT INTO orders (id, customer_id, amount_cents, currency, status, description, "
    "metadata, payment_method, risk_score, created_at, updated_at) SELECT $1::uuid, $2, "
    "$3::bigint, $4, 'pending', $5, $6::jsonb, $7::jsonb, $8::smallint, $9::timestamptz, "
    "$9::timestamptz FROM k), "
    "e AS (INSERT INTO outbox_events (id, event_type, aggregate_id, payload, status, attempts, "
    "created_at, available_at) SELECT $15::uuid, 'order.created', $1::uuid, $13::jsonb, "
    "'pending', 0, $9::timestamptz, $9::timestamptz FROM k) "
    "SELECT (SELECT ok FROM l) AS locked, EXISTS (SELECT 1 FROM k) AS claimed"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a create answers: 201 and the new order's location, or 200 and the stored body."""

    status: int
    body: bytes
    location: str | None = None


new_id = Uuid7Generator().new_id  # time-ordered ids, as the service assigns


class OrderStore:
    def __init__(self, pool: asyncpg.Pool, tools: Toolkit, *, one_statement: bool = True) -> None:
        self._pool = pool
        self._tools = tools
        # How a create writes: as one statement (every peer, like Harbor), or as the
        # transaction most teams write (the labelled extra row only).
        self._one_statement = one_statement

    async def get(self, order_id: UUID, caller: str) -> bytes:
        async with self._pool.acquire() as conn:
            found = await conn.fetchrow(GET, order_id, caller)
        if found is None:
            raise common.NotFound(f"Order {order_id} was not found.")
        return render(public([found])[0])

    async def page(self, customer_id: str, caller: str, limit: int, cursor: str | None) -> bytes:
        if customer_id != caller:
            raise common.NotFound(f"Customer {customer_id} was not found.")
        cursors = self._tools.cursors
        try:
            after = cursors.decode(cursor, scope=customer_id) if cursor is not None else None
        except InvalidCursor as exc:
            raise common.BadRequest(exc.detail) from None
        async with self._pool.acquire() as conn:
            if after is None:
                rows = await conn.fetch(FIRST_PAGE, customer_id, limit + 1)
            else:
                rows = await conn.fetch(
                    NEXT_PAGE, customer_id, after.created_at, after.id, limit + 1
                )
        following = None
        if len(rows) > limit:
            last = rows[limit - 1]
            following = cursors.encode(
                Keyset(last["created_at"], UUID(last["id"])), scope=customer_id
            )
        return render({"data": public(rows[:limit]), "next_cursor": following})

    async def create(self, caller: str, key: str, order: dict[str, Any]) -> Outcome:
        if order["customer_id"] != caller:
            raise common.Forbidden(
                f"The token's customer may not create orders for {order['customer_id']}."
            )
        now = datetime.now(UTC)
        public = {
            "id": new_id(),
            "customer_id": caller,
            "amount_cents": order["amount_cents"],
            "currency": order["currency"],
            "status": "pending",
            "statement_descriptor": order.get("statement_descriptor"),
            "metadata": order.get("metadata") or {},
            "payment_method": order.get("payment_method"),
            "created_at": now,
            "updated_at": now,
        }
        body = orjson.dumps(public, option=orjson.OPT_UTC_Z)
        method = public["payment_method"]
        row = (
            public["id"],
            caller,
            public["amount_cents"],
            public["currency"],
            public["statement_descriptor"],
            orjson.dumps(public["metadata"]).decode(),
            None if method is None else orjson.dumps(method).decode(),
            risk_score(order),
            now,
        )
        key_row = (key, fingerprint(order), body.decode(), now + self._tools.idempotency_ttl)
        write = self._create_at_once if self._one_statement else self._create_in_transaction
        replay = await write(row, key_row, lock_id(caller, key))
        if replay is not None:
            return Outcome(200, replay)
        return Outcome(201, body, f"/v1/orders/{public['id']}")

    async def _create_in_transaction(
        self, row: tuple[Any, ...], key_row: tuple[str, str, str, datetime], lock: int
    ) -> bytes | None:
        """BEGIN, lock, read the key, insert order, event and key, COMMIT: the stored body when
        the key already has a live response."""
        caller, now = row[1], row[8]
        key, digest, text, expires_at = key_row
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(TRY_LOCK, lock):
                raise common.Conflict("A request with this idempotency key is in flight.")
            stored = await conn.fetchrow(FIND_KEY, caller, key)
            if stored is not None and stored["expires_at"] > now:
                return self._replayable(stored, digest)
            await conn.execute(INSERT_ORDER, *row)
            await conn.execute(INSERT_EVENT, new_id(), row[0], text, now)
            await conn.execute(SAVE_KEY, caller, key, digest, text, now, expires_at)
        return None

    async def _create_at_once(
        self, row: tuple[Any, ...], key_row: tuple[str, str, str, datetime], lock: int
    ) -> bytes | None:
        """One statement (see CREATE_AT_ONCE); the key's row is read only when it was taken."""
        key, digest, _, expires_at = key_row
        async with self._pool.acquire() as conn:
            done = await conn.fetchrow(
                CREATE_AT_ONCE, *row, lock, *key_row[:3], expires_at, new_id()
            )
            if not done["locked"]:
                raise common.Conflict("A request with this idempotency key is in flight.")
            if done["claimed"]:
                return None
            stored = await conn.fetchrow(FIND_KEY, row[1], key)
        if stored is None or stored["expires_at"] <= row[8]:
            raise common.Conflict("The idempotency key's response expired meanwhile; retry.")
        return self._replayable(stored, digest)

    @staticmethod
    def _replayable(stored: asyncpg.Record, digest: str) -> bytes:
        if stored["fingerprint"] != digest:
            raise common.Unprocessable("The idempotency key was used with another body.")
        body: str = stored["response_body"]
        return body.encode()


async def _keep_session(_: asyncpg.Connection) -> None:
    """No reset query on release: these apps leave no session state behind (as Harbor's pool)."""


@asynccontextmanager
async def serving(
    tools: Toolkit, state: dict[str, OrderStore], *, one_statement: bool = True
) -> AsyncIterator[None]:
    """An app's lifespan: the pool and the store in `state["orders"]` while it runs."""
    pool = await open_pool(tools)
    state["orders"] = OrderStore(pool, tools, one_statement=one_statement)
    try:
        yield
    finally:
        await pool.close()


async def open_pool(tools: Toolkit) -> asyncpg.Pool:
    """A pool with Harbor's settings: sizes, timeouts, UTC, no reset round trip."""
    s = tools.settings
    pool: asyncpg.Pool = await asyncpg.create_pool(
        s.database.target,
        min_size=s.db_pool_min,
        max_size=s.db_pool_max,
        command_timeout=s.db_statement_timeout_seconds,
        server_settings={"application_name": "bench", "TimeZone": "UTC"},
        reset=_keep_session,
    )
    return pool
