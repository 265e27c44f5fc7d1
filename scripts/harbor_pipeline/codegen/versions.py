"""The served versions as a generated package: one module per consecutive pair of releases.

`spec/releases/*.yaml` and the spec in, `version_changes/` out: the breaking checker compares
each version with the one before (harbor_pipeline.breaking.coverage sorts the findings), and each pair
becomes a module whose renames are filled in and whose other conversions are a `Protocol` for
a person to implement. docs/versioning.md is the model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from harbor_pipeline.breaking import compare_specs, load_spec
from harbor_pipeline.breaking.coverage import Conversion, Coverage, coverage, locations
from harbor_pipeline.breaking.load import Spec
from harbor_pipeline.breaking.release import Version

from .problems import Level, Problem, SpecError
from .render import _TEMPLATES, HEADER, environment

PACKAGE = "version_changes"
_MAX_LISTED = 8


@dataclass(frozen=True, slots=True)
class _Written:
    direction: str
    schema: str
    method: str
    doc: str


@dataclass(frozen=True, slots=True)
class _Step:
    module: str
    previous: str
    version: str
    renamed: dict[str, tuple[tuple[str, str], ...]]
    conversions: tuple[_Written, ...]


def served(spec: Path, releases: Path) -> list[tuple[str, Spec]]:
    """Every release, oldest first, then the spec when it declares a version not released yet."""
    found: list[tuple[Version, str, Path]] = []
    for path in sorted(releases.glob("*.yaml")):
        version = Version.parse(path.stem)
        if version is None:
            raise SpecError(str(path), [_problem("a release must be named MAJOR.MINOR.PATCH.yaml")])
        found.append((version, path.stem, path))
    found.sort()
    specs = [(name, load_spec(str(path))) for _, name, path in found]
    head = load_spec(str(spec))
    declared = Version.parse(head.version)
    if declared is None:
        raise SpecError(
            str(spec), [_problem("info.version must be MAJOR.MINOR.PATCH", "#/info/version")]
        )
    if not found or declared > found[-1][0]:
        specs.append((str(declared), head))
    return specs


def _changes(versions: list[tuple[str, Spec]]) -> list[Coverage]:
    return [
        coverage(compare_specs(before, after), before, after)
        for (_, before), (_, after) in itertools.pairwise(versions)
    ]


def build_versions(spec: Path, releases: Path, out: Path, source: str) -> list[Problem]:
    """Write `out` (the `version_changes` package); the warnings are past changes nothing covers."""
    versions = served(spec, releases)
    changes = _changes(versions)
    newest = versions[-1][1]
    rendered = [_step(change) for change in changes]
    converted = {
        schema
        for step in rendered
        for schema in (*step.renamed, *(c.schema for c in step.conversions))
    }
    places, routes = _places(newest, converted)
    env = environment()
    header = HEADER.format(source=source)
    files = {
        "_runtime.py": (_TEMPLATES / "_versions_runtime.py").read_text(encoding="utf-8"),
        "__init__.py": env.get_template("versions_init.py.jinja").render(
            steps=rendered,
            versions=tuple(name for name, _ in versions),
            releases=releases.as_posix(),
        ),
        "locations.py": env.get_template("versions_locations.py.jinja").render(
            places=places, routes=routes
        ),
    }
    for step in rendered:
        files[f"{step.module}.py"] = env.get_template("version_step.py.jinja").render(step=step)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        (out / name).write_text(header + text, encoding="utf-8")
    return [
        Problem(
            Level.WARNING,
            f.pointer,
            f"{change.previous} -> {change.version}: {f.operation}: {f.id} ({f.message}) "
            "is answered by no version change",
            "version-change-uncovered",
        )
        for change in changes[:-1]
        for f in change.uncovered
    ]


def _step(change: Coverage) -> _Step:
    module = "v" + change.version.replace(".", "_")
    return _Step(
        module,
        change.previous,
        change.version,
        dict(change.renamed),
        tuple(_written(change, c) for c in change.conversions),
    )


def _written(change: Coverage, conversion: Conversion) -> _Written:
    if conversion.direction == "upgrade":
        what = f"{conversion.schema} in a {change.previous} request -> its {change.version} shape."
    else:
        what = f"{conversion.schema} in a {change.version} response -> its {change.previous} shape."
    listed = [
        f"- {f.operation}: {f.id} at {f.pointer}: {f.message}"
        for f in conversion.findings[:_MAX_LISTED]
    ]
    more = len(conversion.findings) - _MAX_LISTED
    if more > 0:
        listed.append(f"- and {more} more (`make breaking` lists them)")
    return _Written(
        conversion.direction,
        conversion.schema,
        conversion.method,
        "\n".join([what, "", "It answers:", *listed]),
    )


def _places(
    newest: Spec, converted: set[str]
) -> tuple[
    dict[str, dict[str, tuple[tuple[tuple[str, ...], str], ...]]], tuple[tuple[str, str, str], ...]
]:
    """The places of the converted schemas only: a body with none is never walked."""
    places: dict[str, dict[str, tuple[tuple[tuple[str, ...], str], ...]]] = {}
    for operation, slots in sorted(locations(newest.root).items()):
        kept = {
            slot: tuple(dict.fromkeys(p for p in pairs if p[1] in converted))
            for slot, pairs in sorted(slots.items())
        }
        kept = {slot: pairs for slot, pairs in kept.items() if pairs}
        if kept:
            places[operation] = kept
    routes = tuple(
        (method, path, operation)
        for operation in places
        if not operation.startswith("WEBHOOK ")
        for method, path in [operation.split(" ", 1)]
    )
    return places, routes


def _problem(message: str, pointer: str = "") -> Problem:
    return Problem(Level.ERROR, pointer, message, "version-invalid")
