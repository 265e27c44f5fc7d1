"""The rule catalogue: documented in docs/breaking-changes.md exactly as the code defines it."""

from __future__ import annotations

import re
from pathlib import Path

from harbor_pipeline.breaking import RULES, Level

DOC = Path(__file__).parents[2] / "docs" / "breaking-changes.md"
ROW = re.compile(r"^\| `([a-z-]+)` \| (error|warning|info) \|(?: (error|warning|info) \|)? .+ \|$")


def _documented() -> dict[str, Level]:
    levels: dict[str, Level] = {}
    for line in DOC.read_text().splitlines():
        found = ROW.match(line)
        if found is None:
            continue
        rule, first, second = found.groups()
        if second is None:
            levels[rule] = Level(first)
        else:
            levels[f"request-{rule}"] = Level(first)
            levels[f"response-{rule}"] = Level(second)
    return levels


def test_every_rule_is_documented_with_its_level() -> None:
    assert _documented() == {rule.id: rule.level for rule in RULES.values()}


def test_ids_are_stable_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)+", rule) for rule in RULES)
