"""The harness's closing summary: responses per phase, and what the stateful phase reached."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from schemathesis import __version__ as SCHEMATHESIS_VERSION

PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass(frozen=True, slots=True)
class Row:
    phase: str
    operation: str
    status: int
    count: int


def read_counts(path: Path) -> list[Row]:
    """The rows the `StatefulReach` check wrote; none when the run stopped before it did."""
    if not path.is_file():
        return []
    return [Row(**row) for row in json.loads(path.read_text())]


def render_summary(rows: list[Row], *, database: str, status: int, seconds: float) -> str:
    total = sum(row.count for row in rows)
    by_phase: dict[str, int] = defaultdict(int)
    for row in rows:
        by_phase[row.phase] += row.count
    phases = ", ".join(f"{phase} {by_phase[phase]}" for phase in PHASES if phase in by_phase)
    verdict = "passed" if status == 0 else f"FAILED (schemathesis exited {status})"
    lines = [
        f"fuzz: {database}: {verdict} in {seconds:.0f}s; schemathesis {SCHEMATHESIS_VERSION}; "
        f"{total} test cases ({phases or 'none recorded'})"
    ]
    stateful: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        if row.phase == "stateful":
            stateful[row.operation][row.status] = row.count
    for operation, statuses in sorted(stateful.items()):
        detail = ", ".join(f"{code}x{count}" for code, count in sorted(statuses.items()))
        lines.append(f"fuzz: {database}: stateful {operation}: {detail}")
    return "\n".join(lines)
