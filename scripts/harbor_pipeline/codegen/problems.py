"""Problems found in a spec, collected as values with a level and a JSON pointer, printed together."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Level(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with (or worth knowing about) a spec, at a JSON pointer inside it."""

    level: Level
    pointer: str
    message: str
    rule: str
    line: int | None = None
    column: int | None = None
    excerpt: str = ""  # the offending line with a caret, for a syntax error
    file: str = ""  # in a multi-file spec, the file other than the root that holds the problem

    def render(self, file: str) -> str:
        file = self.file or file
        where = f"{file}:{self.line}" if self.line else file
        if self.line and self.column:
            where += f":{self.column}"
        pointer = self.pointer or "/"
        text = f"{where}: {self.level}: {self.message} [{self.rule}] (at #{pointer})"
        return f"{text}\n{self.excerpt}" if self.excerpt else text


class SpecError(Exception):
    """The spec cannot be generated from; carries every problem found, not just the first."""

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(file) for p in self.problems))


def escape_pointer_token(token: str) -> str:
    """Escape one reference token per RFC 6901."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_pointer_token(str(t)) for t in tokens)
