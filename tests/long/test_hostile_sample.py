"""Hostile input, a fast sample for `make test`: every operation, every family of the corpus
(every 7th case) and a few Hypothesis cases, through a real server, on each database. The full
suite is tests/long/test_hostile.py (make test-long)."""

from __future__ import annotations

from pathlib import Path

from tests.long.hostile.runner import Tally
from tests.long.hostile.server import hostile_server
from tests.long.hostile.suite import run_corpus, run_hypothesis

STRIDE = 7
HYPOTHESIS_EXAMPLES = 5


async def test_a_sample_of_hostile_input_is_refused_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    tally = Tally("sample")
    async with hostile_server(database_url, tmp_path) as world:
        run_corpus(world, tally, stride=STRIDE)
        run_hypothesis(world, tally, examples=HYPOTHESIS_EXAMPLES)
    print("\n" + tally.render())
    assert len(tally.per_category) >= 10, f"families missing from the sample: {tally.per_category}"
    problems = ([tally.failure_report()] if tally.failures else []) + tally.errors
    assert not problems, "\n\n".join(problems)
