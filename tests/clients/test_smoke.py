"""The smoke scenario (tests/clients/smoke) on the sync and the async client against the live
service and its webhook worker, on each database; and the scenario files under mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harbor_client import AsyncHarborClient, HarborClient
from harbor_pipeline.fuzz.server import LiveServer

from tests.clients.smoke import async_scenario, sync_scenario
from tests.clients.webhook_worker import Receiver, receiver, webhook_worker

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def deliveries(server: LiveServer) -> Iterator[Receiver]:
    """The worker delivering the server's events, to a receiver on 127.0.0.1."""
    with receiver() as found, webhook_worker(server):
        yield found


def test_the_sync_scenario(harbor: HarborClient, customer: str, deliveries: Receiver) -> None:
    sync_scenario.run(harbor, customer, deliveries)


async def test_the_async_scenario(
    async_harbor: AsyncHarborClient, customer: str, deliveries: Receiver
) -> None:
    await async_scenario.run(async_harbor, customer, deliveries)


def test_the_scenarios_type_check_under_mypy_strict() -> None:
    files = [ROOT / "tests/clients/smoke", ROOT / "tests/clients/webhook_worker.py"]
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, files)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout
