"""Abuse limits on a real 2-worker server on PostgreSQL: one customer hammering past its rate
limit gets 429s with Retry-After while another customer is served, invalid tokens from one
address are slowed, and waiting Retry-After out works.

The figures are printed. The deliberate regression: run it with HARBOR_RATE_LIMIT_PER_SECOND=0
(limiting off) and it fails, since no 429 comes back:

    HARBOR_RATE_LIMIT_PER_SECOND=0 TEST_DATABASE_URL=... pytest -m slow -s \
        tests/long/test_limits_live.py
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import time
import uuid
from collections import Counter

import httpx
import pytest

from service.kit.settings import Settings
from tests.fixtures.server import running_server
from tests.fixtures.service import token

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

WORKERS = 2
# The limit under test; the environment may override it (0 shows the test failing).
RATE = float(os.environ.get("HARBOR_RATE_LIMIT_PER_SECOND", "10"))
BURST = int(os.environ.get("HARBOR_RATE_LIMIT_BURST", "20"))
FAILURE_RATE, FAILURE_BURST = 1.0, 10
REQUESTS = 600
CONCURRENCY = 8


async def hammer(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> tuple[list[httpx.Response], float]:
    """`count` GETs of unknown orders (404 when allowed), CONCURRENCY at a time; the responses
    in the order they arrived."""
    responses: list[httpx.Response] = []

    async def worker(share: int) -> None:
        for _ in range(share):
            responses.append(await client.get(f"/v1/orders/{uuid.uuid4()}", headers=headers))

    began = time.monotonic()
    shares = [count // CONCURRENCY + (i < count % CONCURRENCY) for i in range(CONCURRENCY)]
    await asyncio.gather(*(worker(share) for share in shares))
    return responses, time.monotonic() - began


def allowed_at_most(elapsed: float, rate: float, burst: int) -> int:
    """What WORKERS buckets let through in `elapsed` seconds (each worker has its own)."""
    return WORKERS * (burst + math.ceil(rate * (elapsed + 1)))


async def test_a_customer_past_its_limit_gets_429s_and_others_do_not(pg_database_url, tmp_path):
    settings = Settings()
    hammerer, bystander = (f"cus_{secrets.token_hex(6)}" for _ in range(2))
    async with running_server(
        pg_database_url,
        tmp_path,
        workers=WORKERS,
        access_log="false",
        rate_limit_per_second=str(RATE),
        rate_limit_burst=str(BURST),
        auth_failure_rate_per_second=str(FAILURE_RATE),
        auth_failure_burst=str(FAILURE_BURST),
    ) as server:
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=server.base_url, limits=limits) as client:
            mine = {"Authorization": f"Bearer {token(settings, hammerer)}"}
            theirs = {"Authorization": f"Bearer {token(settings, bystander)}"}
            bystander_statuses: list[int] = []

            async def bystand() -> None:
                # Another customer, a request every 0.2 s while the first hammers.
                async with httpx.AsyncClient(base_url=server.base_url) as own:
                    for _ in range(5):
                        await asyncio.sleep(0.2)
                        answer = await own.get(f"/v1/orders/{uuid.uuid4()}", headers=theirs)
                        bystander_statuses.append(answer.status_code)

            (responses, elapsed), _ = await asyncio.gather(
                hammer(client, mine, REQUESTS), bystand()
            )
            # Guessing tokens: each fails verification and spends the address's bucket.
            forged = {"Authorization": "Bearer " + token(settings, hammerer)[:-6] + "AAAAAA"}
            guesses, guess_elapsed = await hammer(client, forged, 200)
            # Waiting out the longest Retry-After the hammerer got is enough to be served.
            waits = [int(r.headers["retry-after"]) for r in responses if r.status_code == 429]
            await asyncio.sleep(max(waits, default=0))
            after_waiting = (
                await client.get(f"/v1/orders/{uuid.uuid4()}", headers=mine)
            ).status_code

    statuses = Counter(r.status_code for r in responses)
    first_429 = next((i for i, r in enumerate(responses) if r.status_code == 429), None)
    guess_statuses = Counter(r.status_code for r in guesses)
    ceiling = allowed_at_most(elapsed, RATE, BURST)
    guess_ceiling = allowed_at_most(guess_elapsed, FAILURE_RATE, FAILURE_BURST)
    print(
        f"\nlimits live: {WORKERS} workers, rate {RATE:g}/s burst {BURST} per worker\n"
        f"  one customer: {len(responses)} requests in {elapsed:.2f}s "
        f"({len(responses) / elapsed:.0f}/s), statuses {dict(sorted(statuses.items()))}, "
        f"first 429 after {first_429} responses, Retry-After values {dict(Counter(waits))}, "
        f"allowed {statuses[404]} (ceiling {ceiling})\n"
        f"  another customer meanwhile: {bystander_statuses}\n"
        f"  forged tokens from one address: {len(guesses)} in {guess_elapsed:.2f}s, statuses "
        f"{dict(sorted(guess_statuses.items()))} (401 ceiling {guess_ceiling})\n"
        f"  after waiting {max(waits, default=0)}s (the longest Retry-After): {after_waiting}"
    )
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[429] > 0, "no 429: the rate limit is off or far too high"
    assert set(statuses) == {404, 429}, statuses
    assert statuses[404] <= ceiling, (statuses, ceiling)
    assert all(r.headers["content-type"] == "application/problem+json" for r in responses[-5:])
    assert waits and all(1 <= w <= math.ceil(1 / RATE) for w in waits), Counter(waits)
    assert bystander_statuses == [404] * 5
    assert set(guess_statuses) == {401, 429} and guess_statuses[401] <= guess_ceiling
    assert after_waiting == 404
