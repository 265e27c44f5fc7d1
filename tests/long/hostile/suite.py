"""The suite as one call: every operation of the spec, the corpus and Hypothesis, one tally."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, seed, settings

from tests.long.hostile.checker import Case, Verdict
from tests.long.hostile.corpus import corpus
from tests.long.hostile.operations import operations
from tests.long.hostile.runner import Tally, run_case
from tests.long.hostile.strategies import cases
from tests.long.hostile.world import World

SEED = 20261130


def judge(verdict: Verdict, tally: Tally) -> Verdict:
    """Adds the verdict to the tally."""
    tally.add(verdict)
    return verdict


def run_corpus(world: World, tally: Tally, *, stride: int = 1) -> None:
    """The hand-picked cases of every operation (every `stride`-th, baseline always)."""
    for op in operations():
        picked = corpus(op, world)
        assert picked, f"{op.operation_id}: the corpus has no case for this operation"
        for index, case in enumerate(picked):
            if index % stride == 0 or case.category == "baseline":
                judge(run_case(world.host, world.port, case), tally)
    for op in operations():
        assert tally.per_operation[op.operation_id] > 0, f"{op.operation_id}: no case was sent"


def run_hypothesis(world: World, tally: Tally, *, examples: int) -> None:
    """`examples` generated cases per operation, derandomised, so a failure reproduces."""
    began = time.monotonic()
    for op in operations():

        @seed(SEED)
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )
        @given(case=cases(op, world))
        def fuzz(case: Case) -> None:
            verdict = judge(run_case(world.host, world.port, case), tally)
            assert verdict.ok, verdict.message()

        try:
            fuzz()
        except AssertionError as error:  # the shrunk example; the other operations still run
            tally.errors.append(f"{op.operation_id} (Hypothesis, seed {SEED}): {error}")
    tally.seconds += time.monotonic() - began
