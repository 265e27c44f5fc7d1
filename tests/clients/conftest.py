"""Fixtures for the client tests: the real service on a free port (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), tokens, and clients pointed at it for the test's own `customer`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import pytest_asyncio
from harbor_client import AsyncHarborClient, HarborClient, RetryPolicy

from harbor_pipeline.fuzz.server import LiveServer, fresh_database, live_server
from service.kit.settings import Settings
from tests.fixtures.databases import BACKENDS
from tests.fixtures.service import token

# Short waits: the tests exercise the retry rules, not the patience.
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    postgres = os.environ.get("TEST_DATABASE_URL") if request.param == "postgres" else None
    with fresh_database(postgres) as database_url, live_server(database_url) as running:
        yield running


@pytest.fixture(scope="session")
def token_for(server: LiveServer) -> Callable[[str], str]:
    """Tokens the server accepts, issued in-process with the same HARBOR_* settings as
    `mint_token` (which costs a subprocess, half a second, per token)."""
    settings = Settings()
    return lambda customer: token(settings, customer)


@pytest.fixture
def harbor(
    server: LiveServer, customer: str, token_for: Callable[[str], str]
) -> Iterator[HarborClient]:
    with HarborClient(server.url, token=token_for(customer), retry=FAST_RETRY) as client:
        yield client


@pytest_asyncio.fixture
async def async_harbor(
    server: LiveServer, customer: str, token_for: Callable[[str], str]
) -> AsyncIterator[AsyncHarborClient]:
    async with AsyncHarborClient(server.url, token=token_for(customer), retry=FAST_RETRY) as client:
        yield client
