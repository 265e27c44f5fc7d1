"""Render a comparison: text for terminals, JSON for machines, Markdown for reviews, a changelog."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from harbor_pipeline.breaking.findings import Comparison, Finding, Level, Reported, Section, Stale
from harbor_pipeline.breaking.fingerprint import fingerprint

_COLOURS = {Level.ERROR: "\033[31m", Level.WARNING: "\033[33m", Level.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_DOCUMENT = "(whole document)"
_SHARED = "several operations"
# `pointer -> "file:line"`, or "" where the pointer has no place in a file.
Where = Callable[[str], str]


def _nowhere(pointer: str) -> str:
    return ""


def _grouped(changes: Iterable[Reported]) -> dict[str, list[Reported]]:
    """Changes under their operation; a change reaching several operations under one heading."""
    groups: dict[str, list[Reported]] = {}
    for c in changes:
        heading = c.operations[0] or _DOCUMENT if len(c.operations) == 1 else _SHARED
        groups.setdefault(heading, []).append(c)
    return groups


def note(c: Reported) -> str:
    """The message, with why it does not count when it does not."""
    if c.accepted is not None:
        return f"{c.message} ({c.level.value}, accepted: {c.accepted})"
    if c.stability is not None:
        return f"{c.message} ({c.stability} operation: below the stability threshold, not judged)"
    return c.message


def _at(c: Reported, where: Where) -> str:
    place = where(c.pointer)
    return f"{place} ({c.pointer})" if place else c.pointer


def _counts(comparison: Comparison, sep: str = ", ") -> str:
    def one(level: Level) -> str:
        n = comparison.count(level)
        return f"{n} {level.value}{'s' if n != 1 and level is not Level.INFO else ''}"

    parts = [one(level) for level in Level]
    if accepted := comparison.accepted():
        parts.append(f"{accepted} accepted")
    if comparison.stale:
        parts.append(f"{len(comparison.stale)} stale")
    return sep.join(parts)


def stale_line(s: Stale) -> str:
    return f"{s.id} at {s.pointer} in {s.operation} ({s.where}) matches nothing: remove the entry"


def summary(comparison: Comparison, fail_on: Level) -> str:
    counts = _counts(comparison)
    verdict = "BREAKING" if comparison.breaking(fail_on) else "compatible"
    return f"{verdict}: {counts} ({comparison.base} -> {comparison.revision})"


def text(
    comparison: Comparison, fail_on: Level, *, colour: bool = False, where: Where = _nowhere
) -> str:
    """Changes grouped by operation, each once with the operations it reaches, and a verdict."""

    def paint(code: str, value: str) -> str:
        return f"{code}{value}{_RESET}" if colour else value

    lines: list[str] = []
    for heading, changes in _grouped(comparison.changes()).items():
        lines.append(paint(_BOLD, heading))
        for c in changes:
            label = c.level.value if c.accepted is None else "accepted"
            level = paint(_COLOURS[c.level if c.accepted is None else Level.INFO], f"{label:<7}")
            lines.append(f"  {level} {c.id}: {note(c)}")
            lines.append(f"          {paint(_DIM, 'at ' + _at(c, where))}")
            if heading == _SHARED:
                lines.append(f"          {paint(_DIM, 'in ' + ', '.join(c.operations))}")
    if comparison.stale:
        lines.append(paint(_BOLD, "accepted changes that match nothing"))
        level = paint(_COLOURS[Level.WARNING], f"{'stale':<7}")
        lines += [f"  {level} {stale_line(s)}" for s in comparison.stale]
    lines.append(paint(_BOLD, summary(comparison, fail_on)))
    return "\n".join(lines) + "\n"


def as_json(comparison: Comparison, fail_on: Level, where: Where = _nowhere) -> str:
    document = {
        "base": {"source": comparison.base, "version": comparison.base_version},
        "revision": {"source": comparison.revision, "version": comparison.revision_version},
        "verdict": "breaking" if comparison.breaking(fail_on) else "compatible",
        "fail_on": fail_on.value,
        "counts": {level.value: comparison.count(level) for level in Level},
        "findings": [
            {
                "id": c.id,
                "level": c.level.value,
                "operations": list(c.operations),
                "pointer": c.pointer,
                "location": where(c.pointer) or None,
                "message": c.message,
                "stability": c.stability,
                "accepted": c.accepted,
                "fingerprints": {op: fingerprint(c.id, op, c.pointer) for op in c.operations},
            }
            for c in comparison.changes()
        ],
        "accepted": comparison.accepted(),
        "stale": [
            {"where": s.where, "id": s.id, "operation": s.operation, "pointer": s.pointer}
            for s in comparison.stale
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(comparison: Comparison, fail_on: Level, where: Where = _nowhere) -> str:
    """A pull-request comment: the verdict, then one row per change with the operations it reaches."""
    breaking = comparison.breaking(fail_on)
    mark = ":x: **Breaking**" if breaking else ":white_check_mark: **Compatible**"
    counts = _counts(comparison, " · ")
    lines = [
        "### API contract check",
        "",
        f"{mark}: `{comparison.base}` → `{comparison.revision}` ({counts})",
    ]
    changes = comparison.changes()
    if changes:
        lines += [
            "",
            "| level | rule | change | operations | where |",
            "| --- | --- | --- | --- | --- |",
        ]
    for c in changes:
        level = "accepted" if c.accepted is not None else c.level.value
        operations = ", ".join(f"`{_cell(op)}`" for op in c.operations if op) or _DOCUMENT
        lines.append(
            f"| {level} | `{c.id}` | {_cell(note(c))} | {operations} | `{_cell(_at(c, where))}` |"
        )
    if comparison.stale:
        lines += ["", "Accepted changes that match nothing (remove the entries):", ""]
        lines += [f"- stale: {_cell(stale_line(s))}" for s in comparison.stale]
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
