"""The attack suite's server (the hostile suite's, customers A and B seeded) and its figures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.long.attacks.refusal import FAMILIES, report
from tests.long.hostile.server import hostile_server
from tests.long.hostile.world import World


@pytest_asyncio.fixture(scope="session")
async def world(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    """An HS256 server on each database, shared by the suite: every attack fails, so nothing of
    A's changes (test_bola reads it back), and each test makes what else it needs."""
    async with hostile_server(database_url, tmp_path_factory.mktemp("attacks")) as world:
        yield world


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FAMILIES:
        for line in report():
            terminalreporter.write_line(line)
