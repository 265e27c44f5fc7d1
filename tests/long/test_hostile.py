"""Hostile input, the full suite (make test-long): every operation of the spec gets the whole
corpus and Hypothesis's cases through a real uvicorn server, on SQLite and PostgreSQL; every
response must be a 4xx problem (or, where the hostile part may be ignored, no 5xx), leak
nothing, show nothing of the other customer and split no header.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m pytest tests/long/test_hostile.py -m slow -s -q -p no:cacheprovider
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.fixtures.databases import fresh_database
from tests.long.hostile.checker import Expect
from tests.long.hostile.messages import tokens
from tests.long.hostile.operations import operations
from tests.long.hostile.runner import Tally, run_case
from tests.long.hostile.server import LEEWAY_SECONDS, hostile_server
from tests.long.hostile.suite import (
    judge,
    run_corpus,
    run_hypothesis,
)
from tests.long.hostile.template import case, template

pytestmark = pytest.mark.slow

HYPOTHESIS_EXAMPLES = 300  # per operation and database
TOTALS = Tally("every run of this module")


def _backend(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgresql") else "sqlite"


def _verdict(tally: Tally) -> None:
    TOTALS.merge(tally)
    print("\n" + tally.render())
    problems = [tally.failure_report()] if tally.failures else []
    problems += tally.errors
    assert not problems, f"{len(tally.failures)} hostile cases failed:\n" + "\n\n".join(problems)


async def test_every_operation_survives_the_corpus_and_hypothesis(
    database_url: str, tmp_path: Path
) -> None:
    tally = Tally(_backend(database_url))
    async with hostile_server(database_url, tmp_path) as world:
        run_corpus(world, tally)
        run_hypothesis(world, tally, examples=HYPOTHESIS_EXAMPLES)
    _verdict(tally)


async def test_hs_rs_confusion_and_forged_tokens_on_an_rs256_server(tmp_path: Path) -> None:
    """A server holding an RSA public key: tokens HMAC-signed with that key (HS/RS confusion),
    signed by another RSA key, `alg: none` ... are refused by every secured operation."""
    tally = Tally("sqlite, RS256 server")
    async with (
        fresh_database("sqlite", tmp_path) as url,
        hostile_server(url, tmp_path, algorithm="RS256") as world,
    ):
        began = time.monotonic()
        for op in operations():
            valid = case(
                template(op, world), world, "baseline", "valid RS256 token", Expect.SUCCESS
            )
            judge(run_case(world.host, world.port, valid), tally)
            for forged in tokens(op, world):
                judge(run_case(world.host, world.port, forged), tally)
        tally.seconds = time.monotonic() - began
        forged_names = world.issuer.forged(world.a.id, other_customer=world.b.id)
        assert "hs256_keyed_with_rsa_public_key" in forged_names
    _verdict(tally)


async def test_a_token_replayed_after_it_expires_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    """The verifier caches good tokens; the cache must not outlive the token (+ leeway)."""
    tally = Tally(f"{_backend(database_url)}, replay after expiry")
    async with hostile_server(database_url, tmp_path) as world:
        expires = int(time.time()) + 3
        token = b"Bearer " + world.issuer.valid(world.a.id, exp=expires).encode()
        secured = [op for op in operations() if op.secured]
        for op in secured:
            t = template(op, world).with_header(b"Authorization", token)
            verdict = judge(
                run_case(
                    world.host, world.port, case(t, world, "replay", "before expiry", Expect.ANY)
                ),
                tally,
            )
            assert verdict.status != 401, f"refused before it expired:\n{verdict.message()}"
        await asyncio.sleep(max(0.0, expires + LEEWAY_SECONDS + 1.5 - time.time()))
        for op in secured:
            t = template(op, world).with_header(b"Authorization", token)
            replay = case(t, world, "replay", "after expiry", Expect.REJECT, caller=None)
            verdict = judge(run_case(world.host, world.port, replay), tally)
            assert verdict.status == 401, f"an expired token was accepted:\n{verdict.message()}"
    _verdict(tally)


def test_zz_print_the_totals() -> None:
    """Last in the module: the figures of every run above, together."""
    print("\n" + TOTALS.render())
    assert TOTALS.sent, "no hostile case was sent"
