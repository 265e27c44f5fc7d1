"""Token buckets in PostgreSQL: one exact limit shared by every worker process and host.

The per-process buckets (ratelimit.py) cost nothing but let N workers grant N times the rate.
Here each take is one statement, an upsert whose row lock serialises the takes of one key
across every process; time is the database's clock, so hosts with skewed clocks agree. The
cost is one round trip per authenticated request (`make bench`: bench/bench_ratelimit.py).
"""

from __future__ import annotations

from service.kit.db import Database, Sql
from service.kit.ratelimit import Rate

# Every SET expression sees the row as it was, so `refilled` is computed from the old values;
# `taken` records whether this take got a token, which RETURNING then reports.
_REFILLED = "least($2, b.tokens + greatest(0.0, excluded.updated_at - b.updated_at) * $3)"
_TAKE = Sql(
    pg="INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at, taken) "
    "SELECT $1, $2 - 1.0, extract(epoch FROM clock_timestamp())::float8, true "
    "ON CONFLICT (key) DO UPDATE SET "
    f"tokens = CASE WHEN {_REFILLED} >= 1.0 THEN {_REFILLED} - 1.0 ELSE {_REFILLED} END, "
    f"taken = {_REFILLED} >= 1.0, updated_at = excluded.updated_at "
    "RETURNING taken, tokens",
    sqlite="",  # settings refuse a shared limit on SQLite: every take would be a write lock
)


class SharedTokenBuckets:
    """One token bucket per key in the `rate_limit_buckets` table (PostgreSQL only)."""

    __slots__ = ("_burst", "_database", "_per_second", "rate")

    def __init__(self, database: Database, rate: Rate) -> None:
        self.rate = rate
        self._database = database
        self._burst = float(rate.burst)
        self._per_second = float(rate.per_second)

    async def take(self, key: str) -> float:
        """Spend one token: 0.0 if there was one, else the seconds until there will be."""
        async with self._database.transaction(write=True, single_statement=True) as session:
            row = await session.fetch_one(_TAKE, key, self._burst, self._per_second)
        assert row is not None  # an upsert with RETURNING always returns its row
        if row["taken"]:
            return 0.0
        return (1.0 - float(row["tokens"])) / self._per_second
