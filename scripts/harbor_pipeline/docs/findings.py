"""The problems `harbor lint` reports, as values the page can show: file, line, column, message.

They are made from the very lines `harbor lint` prints (the validator's `Problem.render` and
`harbor_pipeline.lint`'s Spectral call), so the page and the terminal always say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harbor_pipeline.codegen.load import Document, validation_problems
from harbor_pipeline.codegen.problems import Level, Problem
from harbor_pipeline.lint.__main__ import spectral
from harbor_pipeline.tooling import ToolMissing

# `file:line:col: level: message`, `file:line: level: ...` or `file: level: ...`
_LINE = re.compile(
    r"^(?P<file>.+?)(?::(?P<line>\d+))?(?::(?P<column>\d+))?"
    r": (?P<level>error|warning): (?P<message>.*)$"
)
RULESET = Path(".spectral.yaml")  # the project's ruleset, where `harbor lint` looks for it

# Spectral for a spec: its findings as `harbor lint` prints them, given the pointers the
# validator has already reported (each place once). Injected, so tests need no Node.
Linter = Callable[[Path, frozenset[str]], list[str]]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place; `by` says who found it (`syntax`, `schema`, `spectral`)."""

    file: str
    line: int | None
    column: int | None
    level: str
    message: str
    by: str
    excerpt: str = ""  # the offending line with a caret, for a syntax error

    @property
    def where(self) -> str:
        return ":".join(str(part) for part in (self.file, self.line, self.column) if part)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "where": self.where}


def from_line(text: str, by: str, default_file: str) -> Finding:
    """A printed `file:line:col: level: message` line (and an excerpt below it), read back."""
    first, _, excerpt = text.partition("\n")
    match = _LINE.match(first)
    if match is None:
        return Finding(default_file, None, None, "error", first, by, excerpt)
    line, column = match["line"], match["column"]
    return Finding(
        match["file"],
        int(line) if line else None,
        int(column) if column else None,
        match["level"],
        match["message"],
        by,
        excerpt,
    )


def from_problems(problems: Iterable[Problem], spec: Path, by: str) -> list[Finding]:
    return [from_line(problem.render(str(spec)), by, str(spec)) for problem in problems]


def schema_findings(document: Document) -> tuple[list[Finding], frozenset[str]]:
    """The validator's findings, as `harbor lint` reports them (all of them when one is an
    error, none otherwise), and the pointers they sit at, for Spectral to skip."""
    problems = list(validation_problems(document))
    if not any(problem.level is Level.ERROR for problem in problems):
        return [], frozenset()
    return from_problems(problems, document.path, "schema"), frozenset(
        problem.pointer for problem in problems
    )


def spectral_lines(spec: Path, seen: frozenset[str]) -> list[str]:
    """Spectral with the project's ruleset; a line saying why when it cannot run."""
    if not RULESET.is_file():
        return [f"{spec}: warning: no {RULESET} in {Path.cwd()}: Spectral skipped [tooling]"]
    try:
        return spectral(spec, RULESET, seen)
    except ToolMissing as missing:
        return [f"{spec}: warning: {missing} [tooling]"]
