"""Soak: mixed traffic at 70% of the measured maximum for SOAK_SECONDS (default 10 minutes)
against `python -m service --workers 2` on PostgreSQL: no 5xx, a p99 that does not drift, flat
worker memory, and every acknowledged order stored exactly once (see tests/long/soak/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.databases import TEST_DATABASE_URL
from tests.long.soak.run import soak

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))


async def test_soak(tmp_path: Path) -> None:
    if not TEST_DATABASE_URL:
        pytest.skip("the soak needs TEST_DATABASE_URL (PostgreSQL)")
    result = await soak(tmp_path, seconds=SECONDS)
    assert not result.problems, "soak failed:\n" + "\n".join(result.problems)
