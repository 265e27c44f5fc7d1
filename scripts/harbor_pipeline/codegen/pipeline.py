"""The generator's stages end to end: load -> parse -> models + render -> format, into a directory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from . import ir
from .format import format_tree
from .load import Document
from .models import generate_models
from .parse import parse
from .problems import Level, Problem, SpecError
from .render import HEADER, render

_MODEL_USE = re.compile(r"\bmodels\.([A-Za-z_][A-Za-z0-9_]*)")


def build_server(document: Document, out: Path, source: str) -> list[Problem]:
    """Write the server package (models, security, one module per tag) into the empty `out`.

    Returns the warnings: things generated, but worth the spec author's attention.
    """
    api, hoisted = parse(document)
    models_source, problems = generate_models(hoisted.spec, used_models(api))
    if problems:
        # The model generator folded a root model into its users; give those bodies their own.
        missing = frozenset(p.pointer.rsplit("/", 1)[-1] for p in problems)
        api, hoisted = parse(document, wrap=missing)
        models_source, problems = generate_models(hoisted.spec, used_models(api))
    if problems:
        raise SpecError(str(document.path), problems)
    files = render(api, source)
    files["models.py"] = HEADER.format(source=source) + _strip_tool_header(models_source)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    (out / "py.typed").write_text("", encoding="utf-8")
    format_tree(out)
    return [p for p in hoisted.problems if p.level is Level.WARNING]


def used_models(api: ir.Api) -> set[str]:
    """The model classes the routers (and the clients, built from the same parse) name."""
    return {name for annotation in _annotations(api) for name in _MODEL_USE.findall(annotation)}


def _annotations(api: ir.Api) -> Iterator[str]:
    """Every type the routers name, to check each model they use was generated."""
    for module in api.modules:
        for op in module.operations:
            yield from (p.annotation for p in op.parameters)
            if op.body:
                yield op.body.annotation
            yield from (r.body_annotation or "" for r in op.results)


def _strip_tool_header(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return '"""Pydantic models of the spec\'s schemas."""\n\n' + "".join(lines)
