"""`harbor lint SPEC`: exit 0 clean, 1 with every problem as file:line, 2 when there is no spec to lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from harbor_pipeline.codegen.load import load
from harbor_pipeline.codegen.problems import SpecError, pointer
from harbor_pipeline.tooling import ToolMissing, node_tool

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
USAGE = """usage: harbor lint SPEC

Lint SPEC: the OpenAPI schema, then Spectral with ./.spectral.yaml (the project's ruleset).
Every problem prints as file:line:col. Exit 0: clean; 1: problems found; 2: no spec to lint
(missing, not YAML/JSON) or Spectral not installed."""
# Spectral's error (0) and warn (1) both fail the build, so both print as `error`:
# a line labelled `warning` must not be what turns CI red.
_FAILING = 1
# Spectral's JSON Schema check repeats openapi-spec-validator's, which has already spoken.
_SCHEMA_RULES = frozenset({"oas3-schema", "oas2-schema"})


def spectral(spec: Path, ruleset: Path, seen: frozenset[str] = frozenset()) -> list[str]:
    """Spectral's findings at warn level and above, one `file:line:col: error: message [rule]` each.

    A schema finding at a pointer in `seen` (reported by the validator already) is left out,
    so each place is reported once.
    """
    binary = str(node_tool("spectral"))
    command = [binary, "lint", "--ruleset", str(ruleset), "--format", "json", "--quiet", str(spec)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        results = json.loads(completed.stdout or "[]")
    except json.JSONDecodeError:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        return [f"{spec}: error: Spectral failed: {detail[0] if detail else 'no output'} [tooling]"]
    lines = []
    for result in sorted(results, key=lambda r: (r["range"]["start"]["line"], r["code"])):
        if result.get("severity", 0) > _FAILING:
            continue
        start = result["range"]["start"]
        where = pointer(*result.get("path", []))
        if result["code"] in _SCHEMA_RULES and where in seen:
            continue
        lines.append(
            f"{_file_of(result, spec)}:{start['line'] + 1}:{start['character'] + 1}: "
            f"error: {result['message']} "
            f"[{result['code']}] (at #{where or '/'})"
        )
    return lines


def _file_of(result: dict[str, Any], spec: Path) -> str:
    """The file a finding's line is in: the spec as given, or the file its `$ref` pulled in."""
    source = result.get("source")
    if not isinstance(source, str) or Path(source).resolve() == spec.resolve():
        return str(spec)
    try:
        return str(Path(source).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return source


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(USAGE, file=sys.stderr if argv not in (["-h"], ["--help"]) else sys.stdout)
        return EXIT_OK if argv in (["-h"], ["--help"]) else EXIT_BAD_INPUT
    spec = Path(argv[0])
    problems: list[str] = []
    seen: frozenset[str] = frozenset()
    try:
        load(spec)
    except SpecError as error:
        problems.extend(p.render(error.file) for p in error.problems)
        seen = frozenset(p.pointer for p in error.problems)
        if not spec.is_file() or any(
            p.rule in ("yaml-syntax", "syntax", "file") for p in error.problems
        ):
            print("\n".join(problems), file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        problems.extend(spectral(spec, Path(".spectral.yaml"), seen))
    except ToolMissing as missing:
        print(f"error: {missing}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(
            f"{spec}: {len(problems)} error(s); lint fails on every Spectral finding at warn "
            "level or above (.spectral.yaml)",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    print(f"{spec}: lint clean (Spectral + OpenAPI {load(spec).version} schema)")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
