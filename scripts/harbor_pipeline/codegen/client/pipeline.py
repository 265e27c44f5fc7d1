"""The clients' stages end to end: load -> parse -> models + render -> format, into a directory."""

from __future__ import annotations

from pathlib import Path

from ..format import format_tree
from ..load import Document
from ..problems import Problem
from .parse import parse_client
from .render import render_python
from .typescript import build_typescript

LANGUAGES = ("python", "typescript")


def build_client(
    document: Document, out: Path, *, language: str, distribution: str | None
) -> list[Problem]:
    """Write the client package for `language` into the empty directory `out`; return warnings."""
    api, models_source, warnings = parse_client(document, distribution)
    out.mkdir(parents=True, exist_ok=True)
    if language == "typescript":
        build_typescript(api, document, out)
        return warnings
    for name, text in render_python(api, models_source).items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    format_tree(out)
    return warnings
