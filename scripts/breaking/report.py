"""Render a comparison: text for terminals, JSON for machines, Markdown for reviews, a changelog."""

from __future__ import annotations

import json
from collections.abc import Iterable

from scripts.breaking.findings import Comparison, Finding, Level, Section

_COLOURS = {Level.ERROR: "\033[31m", Level.WARNING: "\033[33m", Level.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_DOCUMENT = "(whole document)"


def _grouped(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.operation or _DOCUMENT, []).append(f)
    return groups


def _counts(comparison: Comparison, sep: str = ", ") -> str:
    def one(level: Level) -> str:
        n = comparison.count(level)
        return f"{n} {level.value}{'s' if n != 1 and level is not Level.INFO else ''}"

    return sep.join(one(level) for level in Level)


def summary(comparison: Comparison, fail_on: Level) -> str:
    counts = _counts(comparison)
    verdict = "BREAKING" if comparison.breaking(fail_on) else "compatible"
    return f"{verdict}: {counts} ({comparison.base} -> {comparison.revision})"


def text(comparison: Comparison, fail_on: Level, *, colour: bool = False) -> str:
    """Findings grouped by operation, most severe first, with a verdict line."""

    def paint(code: str, value: str) -> str:
        return f"{code}{value}{_RESET}" if colour else value

    lines: list[str] = []
    for operation, findings in _grouped(comparison.findings).items():
        lines.append(paint(_BOLD, operation))
        for f in findings:
            level = paint(_COLOURS[f.level], f"{f.level.value:<7}")
            lines.append(f"  {level} {f.id}: {f.message}")
            lines.append(f"          {paint(_DIM, 'at ' + f.pointer)}")
    lines.append(paint(_BOLD, summary(comparison, fail_on)))
    return "\n".join(lines) + "\n"


def as_json(comparison: Comparison, fail_on: Level) -> str:
    document = {
        "base": {"source": comparison.base, "version": comparison.base_version},
        "revision": {"source": comparison.revision, "version": comparison.revision_version},
        "verdict": "breaking" if comparison.breaking(fail_on) else "compatible",
        "fail_on": fail_on.value,
        "counts": {level.value: comparison.count(level) for level in Level},
        "findings": [
            {
                "id": f.id,
                "level": f.level.value,
                "operation": f.operation,
                "pointer": f.pointer,
                "message": f.message,
            }
            for f in comparison.findings
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(comparison: Comparison, fail_on: Level) -> str:
    """A pull-request comment: verdict first, then one table per operation."""
    breaking = comparison.breaking(fail_on)
    mark = ":x: **Breaking**" if breaking else ":white_check_mark: **Compatible**"
    counts = _counts(comparison, " · ")
    lines = [
        "### API contract check",
        "",
        f"{mark}: `{comparison.base}` → `{comparison.revision}` ({counts})",
    ]
    for operation, findings in _grouped(comparison.findings).items():
        lines += [
            "",
            f"#### `{operation}`",
            "",
            "| level | rule | change | where |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {f.level.value} | `{f.id}` | {_cell(f.message)} | `{_cell(f.pointer)}` |"
            for f in findings
        ]
    return "\n".join(lines) + "\n"


def changelog(comparison: Comparison) -> str:
    """A Keep-a-Changelog section: breaking changes, then additions, deprecations, the rest.

    A change in a shared schema is one line naming every operation it reaches.
    """
    title = comparison.revision_version or comparison.revision
    sections: dict[str, dict[str, list[str]]] = {}
    for f in comparison.findings:
        heading = "Breaking changes" if f.level is Level.ERROR else f.section.value
        entry = sections.setdefault(heading, {})
        entry.setdefault(f.message if f.id.startswith("operation-") else _line(f), []).append(
            f.operation
        )
    lines = [f"## {title}"]
    order = ["Breaking changes", *(s.value for s in Section)]
    for heading in (h for h in order if h in sections):
        lines += ["", f"### {heading}", ""]
        for message, operations in sections[heading].items():
            lines.append(f"- {message}{_where(operations, message)}")
    if len(lines) == 1:
        lines += ["", "No changes to the API contract."]
    return "\n".join(lines) + "\n"


def _line(f: Finding) -> str:
    side = f.id.split("-", 1)[0]
    where = f"in {side}s, " if side in ("request", "response") else ""
    return f"{where}{f.message} (`{f.pointer}`)"


def _where(operations: list[str], message: str) -> str:
    shown = [op for op in dict.fromkeys(operations) if op and op not in message]
    if not shown:
        return ""
    listed = ", ".join(f"`{op}`" for op in shown[:3])
    more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
    return f": {listed}{more}"
