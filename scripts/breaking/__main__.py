"""Command line: `python -m scripts.breaking BASE REVISION` and the changelog, gate and release commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.breaking import report
from scripts.breaking.compare import compare_specs
from scripts.breaking.findings import Comparison, Level
from scripts.breaking.load import load_spec
from scripts.breaking.nodes import SpecError
from scripts.breaking.release import Version, bump_problem, cut, gate, newest

_SOURCES = "a file, or git:REF:PATH to read PATH as it is at a git ref"
_COMMANDS = ("changelog", "gate", "release")


def _compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.breaking",
        description="Compare two OpenAPI contracts. Exit 0: compatible, 1: breaking, 2: bad input. "
        "Other commands: changelog BASE REVISION; gate SPEC RELEASES; release SPEC RELEASES VERSION.",
    )
    parser.add_argument("base", help=f"the contract clients use now: {_SOURCES}")
    parser.add_argument("revision", help=f"the proposed contract: {_SOURCES}")
    _output_options(parser)
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="the lowest level that makes the verdict breaking (default: error)",
    )


def _command_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m scripts.breaking {command}")
    if command == "changelog":
        parser.description = "Print a changelog section: breaking changes, additions, deprecations."
        parser.add_argument("base", help=_SOURCES)
        parser.add_argument("revision", help=_SOURCES)
        return parser
    parser.add_argument("spec", help="the working contract, e.g. spec/openapi.yaml")
    parser.add_argument("releases", type=Path, help="the folder of released contracts")
    if command == "gate":
        parser.description = (
            "Compare SPEC with the newest release. Breaking findings fail unless SPEC's "
            "info.version declares the next major version."
        )
        _output_options(parser)
    else:
        parser.description = "Check SPEC against the newest release and copy it there as VERSION."
        parser.add_argument("version", help="MAJOR.MINOR.PATCH")
    return parser


def _colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _render(comparison: Comparison, fmt: str, fail_on: Level) -> str:
    if fmt == "json":
        return report.as_json(comparison, fail_on)
    if fmt == "markdown":
        return report.markdown(comparison, fail_on)
    return report.text(comparison, fail_on, colour=_colour())


def _compare(argv: Sequence[str]) -> int:
    args = _compare_parser().parse_args(argv)
    fail_on = Level(args.fail_on)
    comparison = compare_specs(load_spec(args.base), load_spec(args.revision))
    sys.stdout.write(_render(comparison, args.format, fail_on))
    return 1 if comparison.breaking(fail_on) else 0


def _changelog(argv: Sequence[str]) -> int:
    args = _command_parser("changelog").parse_args(argv)
    comparison = compare_specs(load_spec(args.base), load_spec(args.revision))
    sys.stdout.write(report.changelog(comparison))
    return 0


def _gate(argv: Sequence[str]) -> int:
    args = _command_parser("gate").parse_args(argv)
    fail_on = Level(args.fail_on)
    checked = gate(args.spec, args.releases)
    if checked is None:
        print(f"breaking: no release in {args.releases} yet; nothing to compare against")
        return 0
    comparison, release = checked.comparison, checked.release
    sys.stdout.write(_render(comparison, args.format, fail_on))
    if not comparison.breaking(fail_on):
        return 0
    if checked.accepted:
        print(
            f"accepted: {args.spec} declares version {checked.declared}, the next major after "
            f"release {release}; cut it with `make release VERSION={checked.declared}`"
        )
        return 0
    print(
        f"{args.spec} breaks release {release} (see above). Restore compatibility, or, if the break "
        f"is deliberate, set info.version to {release.major + 1}.0.0 in {args.spec}: the new major "
        "version declares it (docs/breaking-changes.md).",
        file=sys.stderr,
    )
    return 1


def _release(argv: Sequence[str]) -> int:
    args = _command_parser("release").parse_args(argv)
    wanted = Version.parse(args.version)
    if wanted is None:
        raise SpecError(args.version, "VERSION", "expected MAJOR.MINOR.PATCH, e.g. 1.2.0")
    found = newest(args.releases)
    comparison = None
    if found is not None:
        comparison = compare_specs(load_spec(str(found[1])), load_spec(args.spec))
        sys.stdout.write(report.text(comparison, Level.ERROR, colour=_colour()))
    problem = bump_problem(found[0] if found else None, wanted, comparison)
    if problem is not None:
        print(f"error: cannot release {wanted}: {problem}", file=sys.stderr)
        return 1
    target = cut(args.spec, args.releases, wanted)
    print(f"released {target}")
    declared = load_spec(args.spec, check=False).version
    if declared != str(wanted):
        print(f"note: {args.spec} still says info.version {declared}; set it to {wanted} too")
    if comparison is not None:
        sys.stdout.write("\n" + report.changelog(comparison))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in _COMMANDS else None
    run = {"changelog": _changelog, "gate": _gate, "release": _release}.get(command or "", _compare)
    try:
        return run(args[1:] if command else args)
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
