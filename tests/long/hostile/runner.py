"""Sends cases, checks every response, and keeps the figures: cases per operation, statuses."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tests.long.hostile.checker import Case, Verdict, check_outcome
from tests.long.hostile.wire import NoResponse, Response, send


@dataclass
class Tally:
    """The figures of one run (one database, one server)."""

    label: str
    per_operation: Counter[str] = field(default_factory=Counter)
    per_category: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    family_statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[Verdict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # Hypothesis's minimal failing examples
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.per_operation.values())

    def add(self, verdict: Verdict) -> None:
        self.per_operation[verdict.case.operation] += 1
        self.per_category[verdict.case.category] += 1
        # "closed": an incomplete request the server dropped (allowed); "none": no answer (failed).
        status = str(verdict.status) if verdict.status is not None else "closed"
        if verdict.status is None and not verdict.ok:
            status = "none"
        self.statuses[status] += 1
        self.family_statuses[verdict.case.category, status] += 1
        if not verdict.ok:
            self.failures.append(verdict)

    def merge(self, other: Tally) -> None:
        self.per_operation.update(other.per_operation)
        self.per_category.update(other.per_category)
        self.statuses.update(other.statuses)
        self.family_statuses.update(other.family_statuses)
        self.failures += other.failures
        self.errors += other.errors
        self.seconds += other.seconds

    def render(self) -> str:
        lines = [
            f"hostile input, {self.label}: {self.sent} cases in {self.seconds:.1f} s, {len(self.failures)} failed"
        ]
        lines.append("  cases per operation:")
        lines += [f"    {op:<24} {n:>6}" for op, n in sorted(self.per_operation.items())]
        lines.append("  cases per family:")
        for family, n in sorted(self.per_category.items()):
            statuses = sorted((s, c) for (f, s), c in self.family_statuses.items() if f == family)
            shown = " ".join(f"{s}:{c}" for s, c in statuses)
            lines.append(f"    {family:<24} {n:>6}   {shown}")
        lines.append(
            "  statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        )
        return "\n".join(lines)

    def failure_report(self, limit: int = 15) -> str:
        shown = [v.message() for v in self.failures[:limit]]
        more = len(self.failures) - limit
        return "\n\n".join(shown) + (f"\n\n... and {more} more" if more > 0 else "")


def run_case(host: str, port: int, case: Case, *, timeout: float = 15.0) -> Verdict:
    outcome: Response | NoResponse
    try:
        outcome = send(host, port, case.request, timeout=timeout, half_close=case.half_close)
    except NoResponse as exc:
        outcome = exc
    except OSError as exc:
        outcome = NoResponse(f"{type(exc).__name__}: {exc}")
    return check_outcome(case, outcome)


def run(host: str, port: int, cases: Iterable[Case], tally: Tally) -> Tally:
    began = time.monotonic()
    for case in cases:
        tally.add(run_case(host, port, case))
    tally.seconds += time.monotonic() - began
    return tally
