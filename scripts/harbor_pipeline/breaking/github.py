"""GitHub workflow commands: each change an annotation on the revision's file and line.

`::error file=F,line=N,title=T::message` (warnings `::warning`, info and accepted
changes `::notice`), so a pull request shows each finding on the line it is about. A change
reaching several operations is one annotation naming them: one place, one note.
"""

from __future__ import annotations

from collections.abc import Callable

from harbor_pipeline.breaking.findings import Comparison, Level
from harbor_pipeline.breaking.report import note, stale_line, summary

_COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "notice"}
# `pointer -> (file, line)` in the revision, or None where it has no place in a file.
Place = Callable[[str], tuple[str, int] | None]


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, where: tuple[str, int] | None, title: str, message: str) -> str:
    at = f"file={_property(where[0])},line={where[1]}," if where is not None else ""
    return f"::{kind} {at}title={_property(title)}::{_data(message)}"


def workflow_commands(comparison: Comparison, fail_on: Level, place: Place) -> str:
    """One command per change and per stale entry, then the verdict as a plain log line."""
    lines: list[str] = []
    for c in comparison.changes():
        kind = "notice" if c.accepted is not None else _COMMANDS[c.level]
        operations = ", ".join(op for op in c.operations if op)
        message = f"{note(c)}{f' (in {operations})' if operations else ''} at {c.pointer}"
        lines.append(_command(kind, place(c.pointer), c.id, message))
    for s in comparison.stale:
        file, _, line = s.where.rpartition(":")
        lines.append(_command("warning", (file, int(line)), "stale accepted change", stale_line(s)))
    lines.append(summary(comparison, fail_on))
    return "\n".join(lines) + "\n"
