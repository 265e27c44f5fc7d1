"""The soak, end to end, fails on a server that regresses: a short soak against a server with
regressions injected from outside the service (soak/regressions/sitecustomize.py: RSS that grows,
a p99 that drifts, rare 500s) and, before the read-back, one acknowledged order deleted and one
doubled in the database. Every verdict must catch its regression."""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg
import pytest

from tests.fixtures.databases import TEST_DATABASE_URL
from tests.long.soak.run import soak

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REGRESSIONS = Path(__file__).resolve().parent / "soak" / "regressions"


async def lose_one_and_double_one(pool: asyncpg.Pool, acknowledged: list[tuple[str, str]]) -> None:
    (_, lost), (_, doubled) = acknowledged[0], acknowledged[1]
    await pool.execute("DELETE FROM orders WHERE id = $1::uuid", lost)
    await pool.execute(
        "INSERT INTO orders SELECT gen_random_uuid(), customer_id, amount_cents, currency, status, "
        "description, metadata, payment_method, risk_score, created_at, updated_at "
        "FROM orders WHERE id = $1::uuid",
        doubled,
    )


async def test_the_soak_catches_injected_regressions(tmp_path: Path) -> None:
    if not TEST_DATABASE_URL:
        pytest.skip("the soak needs TEST_DATABASE_URL (PostgreSQL)")
    path = os.pathsep.join(p for p in (str(REGRESSIONS), os.environ.get("PYTHONPATH")) if p)
    result = await soak(
        tmp_path,
        seconds=45,
        rate=300,
        environ={"PYTHONPATH": path},
        before_readback=lose_one_and_double_one,
    )
    caught = "\n".join(result.problems)
    assert "answers were 5xx" in caught
    assert "p99 grew from" in caught
    assert caught.count("grew from") >= 3  # p99, and both workers' RSS
    assert "1 acknowledged orders are not stored" in caught
    assert "1 keys produced more than one order" in caught
