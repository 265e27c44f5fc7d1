"""Command line: `python -m harbor_pipeline.breaking BASE REVISION` and the changelog, gate and release commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from harbor_pipeline.breaking import report
from harbor_pipeline.breaking.accepted import accept, load_accepted
from harbor_pipeline.breaking.compare import compare_specs
from harbor_pipeline.breaking.coverage import Coverage
from harbor_pipeline.breaking.findings import Comparison, Level
from harbor_pipeline.breaking.github import workflow_commands
from harbor_pipeline.breaking.load import InvalidSyntax, load_spec
from harbor_pipeline.breaking.locate import anchor, locator
from harbor_pipeline.breaking.nodes import SpecError
from harbor_pipeline.breaking.release import Gate, Version, bump_problem, cut, gate, newest
from harbor_pipeline.breaking.retire import Verdict, load_usage
from harbor_pipeline.breaking.stability import DEFAULT_THRESHOLD, LEVELS

_SOURCES = "a file, or git:REF:PATH to read PATH as it is at a git ref"
_COMMANDS = ("changelog", "gate", "release")


def _compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harbor breaking",
        description="Compare two OpenAPI contracts. Exit 0: compatible, 1: breaking, 2: bad input. "
        "Other commands: changelog BASE REVISION; gate SPEC RELEASES [--usage FILE]; "
        "release SPEC RELEASES VERSION.",
    )
    parser.add_argument("base", help=f"the contract clients use now: {_SOURCES}")
    parser.add_argument("revision", help=f"the proposed contract: {_SOURCES}")
    _output_options(parser)
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown", "github"),
        default="text",
        help="github: workflow commands annotating the revision's lines",
    )
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="the lowest level that makes the verdict breaking (default: error)",
    )
    parser.add_argument(
        "--stability-threshold",
        choices=LEVELS,
        default=DEFAULT_THRESHOLD,
        help="operations whose x-stability-level is below this are not judged, their findings "
        f"info (default: {DEFAULT_THRESHOLD}, as oasdiff)",
    )
    _accepted_option(parser)


def _accepted_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--accepted",
        metavar="FILE",
        help="deliberate breaks accepted without a new version, e.g. spec/accepted-changes.yaml "
        "(docs/breaking-changes.md)",
    )


def _accepting(comparison: Comparison, source: str | None) -> Comparison:
    return comparison if source is None else accept(comparison, load_accepted(source))


def _command_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"harbor {'breaking gate' if command == 'gate' else command}"
    )
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
        parser.add_argument(
            "--usage",
            type=Path,
            help="calls of deprecated operations, as `python -m service.versions.usage export` "
            "writes them: removing one is refused while a customer called it lately",
        )
        parser.add_argument(
            "--usage-window-days",
            type=int,
            default=30,
            help="how far back a call keeps a deprecated operation from being removed (default 30)",
        )
        parser.add_argument(
            "--today",
            type=_day,
            help="the day sunset dates and the window are judged on (default: today, UTC)",
        )
    else:
        parser.description = "Check SPEC against the newest release and copy it there as VERSION."
        parser.add_argument("version", help="MAJOR.MINOR.PATCH")
        _accepted_option(parser)
    return parser


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _render(comparison: Comparison, fmt: str, fail_on: Level) -> str:
    where = locator(comparison.base, comparison.revision)
    if fmt == "json":
        return report.as_json(comparison, fail_on, where)
    if fmt == "markdown":
        return report.markdown(comparison, fail_on, where)
    if fmt == "github":
        return workflow_commands(comparison, fail_on, anchor(comparison.revision))
    return report.text(comparison, fail_on, colour=_colour(), where=where)


def _compare(argv: Sequence[str]) -> int:
    args = _compare_parser().parse_args(argv)
    fail_on = Level(args.fail_on)
    threshold = args.stability_threshold
    comparison = compare_specs(load_spec(args.base), load_spec(args.revision), threshold=threshold)
    comparison = _accepting(comparison, args.accepted)
    sys.stdout.write(_render(comparison, args.format, fail_on))
    return 1 if comparison.breaking(fail_on) else 0


def _changelog(argv: Sequence[str]) -> int:
    args = _command_parser("changelog").parse_args(argv)
    comparison = compare_specs(load_spec(args.base), load_spec(args.revision))
    sys.stdout.write(report.changelog(comparison))
    return 0


def _gate(argv: Sequence[str]) -> int:
    parser = _command_parser("gate")
    args = parser.parse_args(argv)
    if not 1 <= args.usage_window_days <= 3660:
        parser.error(f"--usage-window-days {args.usage_window_days}: expected 1 to 3660")
    fail_on = Level(args.fail_on)
    today = args.today or datetime.now(UTC).date()
    window = args.usage_window_days
    usage = None if args.usage is None else load_usage(args.usage, today=today, window_days=window)
    checked = gate(
        args.spec,
        args.releases,
        usage=usage,
        today=today,
        window_days=window,
        threshold=args.stability_threshold,
        accepted=None if args.accepted is None else load_accepted(args.accepted),
    )
    if checked is None:
        print(f"breaking: no release in {args.releases} yet; nothing to compare against")
        return 0
    comparison, release = checked.comparison, checked.release
    sys.stdout.write(_render(comparison, args.format, fail_on))
    if _retirements(checked, args.spec):
        return 1
    remaining = checked.remaining or comparison
    if remaining.breaking(fail_on) and not replace(remaining, stale=()).breaking(fail_on):
        print(
            f"{args.accepted} accepts changes the spec no longer makes (above): remove those entries.",
            file=sys.stderr,
        )
        return 1
    if not remaining.breaking(fail_on):
        if comparison.breaking(fail_on):
            print(
                f"accepted: every break removes a deprecated thing after its sunset date (above), "
                f"in the next major version {checked.declared}"
            )
        return 0
    if checked.covered is not None:
        sys.stdout.write(coverage_text(checked.covered))
    if checked.accepted:
        print(
            f"accepted: every break is answered by the version change {release} -> "
            f"{checked.declared}, so {release} is still served as it was; cut it with "
            f"`make release VERSION={checked.declared}`"
        )
        return 0
    if checked.covered is None:
        advice = (
            f"Restore compatibility, or, if the break is deliberate, set info.version to "
            f"{release.major + 1}.0.0 in {args.spec} and answer each break with a version change "
            "(docs/versioning.md)."
        )
    elif checked.covered.uncovered:
        advice = (
            "The breaks marked `not covered` above cannot be answered by converting bodies between "
            "versions; restore compatibility there (docs/versioning.md)."
        )
    else:
        advice = f"A new version after {release} must be {release.major + 1}.0.0."
    print(f"{args.spec} breaks release {release} (see above). {advice}", file=sys.stderr)
    return 1


def _retirements(checked: Gate, spec: str) -> bool:
    """Print the verdict on each deprecated thing removed; True when one is refused."""
    if not checked.retired:
        return False
    print("Deprecated things removed:")
    for retired in checked.retired:
        print(f"  {retired.line}")
    for retired in checked.retired:
        if retired.verdict is Verdict.UNCHECKED:
            print(f"warning: usage not checked: {retired.what}", file=sys.stderr)
    refused = checked.refused
    if refused:
        names = ", ".join(r.what for r in refused)
        print(
            f"{spec} removes {names} from release {checked.release} too early (see above); "
            "keep it until the date has passed and nobody calls it (docs/versioning.md).",
            file=sys.stderr,
        )
        return True
    if not checked.next_major:
        major = f"{checked.release.major + 1}.0.0"
        print(
            f"note: a removal breaks SDKs built from {checked.release}: it goes out in the next "
            f"major version; set info.version to {major} in {spec}."
        )
    return False


def coverage_text(covered: Coverage) -> str:
    """Each breaking finding once, with what answers it in the version change."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for finding in (
        *covered.by_rename,
        *(f for c in covered.conversions for f in c.findings),
        *covered.uncovered,
    ):
        seen.setdefault(
            (finding.id, finding.pointer, covered.answer(finding) or "not covered"), []
        ).append(finding.operation)
    lines = [f"Version change {covered.previous} -> {covered.version}:"]
    for (rule, pointer, answer), operations in sorted(
        seen.items(), key=lambda item: item[0][2] != "not covered"
    ):
        lines.append(f"  {answer:<40} {rule} at {pointer} ({len(operations)} operations)")
    return "\n".join(lines) + "\n"


def _release(argv: Sequence[str]) -> int:
    args = _command_parser("release").parse_args(argv)
    wanted = Version.parse(args.version)
    if wanted is None:
        raise SpecError(args.version, "VERSION", "expected MAJOR.MINOR.PATCH, e.g. 1.2.0")
    found = newest(args.releases)
    comparison = None
    if found is not None:
        comparison = compare_specs(load_spec(str(found[1])), load_spec(args.spec))
        comparison = _accepting(comparison, args.accepted)
        sys.stdout.write(_render(comparison, "text", Level.ERROR))
    problem = bump_problem(found[0] if found else None, wanted, comparison)
    if problem is not None:
        print(f"error: cannot release {wanted}: {problem}", file=sys.stderr)
        return 1
    target = cut(args.spec, args.releases, wanted)
    print(f"released {target}")
    declared = load_spec(args.spec, check=False).version
    if declared != str(wanted):
        print(f"note: {args.spec} still says info.version {declared}; set it to {wanted} too")
    if comparison is not None and comparison.accepted():
        print(
            f"note: {wanted} releases the changes {args.accepted} accepts; remove their entries "
            "(the gate reports them stale from now on)"
        )
    if comparison is not None:
        sys.stdout.write("\n" + report.changelog(comparison))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in _COMMANDS else None
    run = {"changelog": _changelog, "gate": _gate, "release": _release}.get(command or "", _compare)
    try:
        return run(args[1:] if command else args)
    except InvalidSyntax as err:
        print(err, file=sys.stderr)  # already `file:line:col: error: ...`, as compilers print it
        return 2
    except SpecError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
