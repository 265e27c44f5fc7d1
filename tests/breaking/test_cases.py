"""Every case pair in `cases/`: the exact verdict and finding ids, in 3.0 and 3.1, nested five ways."""

from __future__ import annotations

from typing import Any

import pytest

from harbor_pipeline.breaking import RULES, Spec, compare_specs
from harbor_pipeline.breaking.load import validate
from tests.breaking.casebook import Case, document, load_cases

CASES = load_cases()


def _params() -> list[Any]:
    params: list[Any] = []
    for case in CASES:
        for oas in case.oas:
            for nesting, expected in (case.nest or {"direct": case.findings}).items():
                case_id = f"{case.file}:{case.name}:{oas}:{nesting}"
                params.append(pytest.param(case, oas, nesting, expected, id=case_id))
    return params


def _compare(case: Case, oas: str, nesting: str) -> tuple[bool, list[str]]:
    base = document(case, "base", case.base_oas or oas, nesting)
    revision = document(case, "revision", oas, nesting)
    if nesting == "direct":  # every case must be valid OpenAPI; once is enough
        validate(f"{case.name} base", base, full=True)
        validate(f"{case.name} revision", revision, full=True)
    comparison = compare_specs(Spec("base", base), Spec("revision", revision))
    return comparison.breaking(), sorted(f.id for f in comparison.findings)


@pytest.mark.parametrize(("case", "oas", "nesting", "expected"), _params())
def test_case(case: Case, oas: str, nesting: str, expected: tuple[str, ...]) -> None:
    breaking, found = _compare(case, oas, nesting)
    assert found == sorted(expected)
    assert ("breaking" if breaking else "compatible") == case.verdict


def test_there_are_at_least_sixty_pairs() -> None:
    assert len(CASES) >= 60


def test_case_names_are_unique() -> None:
    names = [(case.file, case.name) for case in CASES]
    assert len(names) == len(set(names))


def test_expected_ids_are_rules() -> None:
    unknown = {
        i for case in CASES for ids in [case.findings, *case.nest.values()] for i in ids
    } - set(RULES)
    assert not unknown


def test_every_rule_has_a_case() -> None:
    covered = {i for case in CASES for i in case.findings}
    assert sorted(set(RULES) - covered) == []
