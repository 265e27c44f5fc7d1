"""The project `harbor init` writes: the files of `template/`, rendered, then its first release
and its generated package.

A file named `*.j2` is a Jinja template (its name loses the suffix); every other file is
copied as it is. `gitignore` becomes `.gitignore` (a real one would hide files from the tools
that build the wheel).
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

TEMPLATE = Path(__file__).resolve().parent / "template"
_RENAMED = {"gitignore": ".gitignore"}
_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class Project:
    name: str  # the package name (pyproject.toml, package.json): lower case, digits, . _ -
    title: str  # the API's title (info.title)

    def context(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title}


def project_name(raw: str) -> str | None:
    """`raw` as a package name (lower case, runs of other characters as `-`), None when nothing is left."""
    name = re.sub(r"[^a-z0-9._-]+", "-", raw.lower()).strip("-._")
    return name if _NAME.match(name) else None


def title_of(name: str) -> str:
    """`notes` and `notes-api` both give `Notes API`."""
    words = [word.capitalize() for word in re.split(r"[-._]+", name)]
    if words[-1] == "Api":
        words.pop()
    return " ".join([*words, "API"])


def template_files() -> Iterator[tuple[Path, Path]]:
    """Each template file with the path it is written to, relative to the project."""
    for source in sorted(TEMPLATE.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(TEMPLATE)
        name = _RENAMED.get(relative.name, relative.name).removesuffix(".j2")
        yield source, relative.with_name(name)


def render(source: Path, context: Mapping[str, str]) -> str:
    """The text of one template file for a project."""
    text = source.read_text(encoding="utf-8")
    if source.suffix != ".j2":
        return text
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    return environment.from_string(text).render(context)


def render_template(relative: str, context: Mapping[str, str]) -> str:
    """The text `harbor init` writes at `relative` (a project path such as `.pre-commit-config.yaml`)."""
    for source, target in template_files():
        if target.as_posix() == relative:
            return render(source, context)
    raise KeyError(relative)


def write(project: Project, root: Path) -> tuple[list[Path], list[Path]]:
    """Write every template file under `root`: the files written and, of them, those overwritten."""
    written, overwritten = [], []
    for source, relative in template_files():
        target = root / relative
        if target.exists():
            overwritten.append(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(source, project.context()), encoding="utf-8")
        if source.stat().st_mode & stat.S_IXUSR:  # .ci/run stays executable
            target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written.append(relative)
    return written, overwritten
