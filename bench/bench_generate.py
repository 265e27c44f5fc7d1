"""Generation speed: the golden specs, our spec, GitHub's REST API (against fastapi-codegen), a no-op.

Run with `make bench-generate` (part of `make bench`), which installs `corpus/node_modules`
for GitHub's spec. Writes bench/results/generate.md and prints the same table. Every figure is
a median of several runs of the command line a user runs, one process each: the machine is
shared, so one run says little; the spread of the runs is printed beside it.
`BENCH_GENERATE_ARGS="--runs 5 --github-runs 3"` measures longer, `--no-compare` skips
fastapi-codegen.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harbor_pipeline.corpus import fastapi_codegen

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / "corpus/node_modules/@octokit/openapi/generated/api.github.com.json"
# fastapi-codegen in the pinned environment the corpus comparison uses (scripts/harbor_pipeline/corpus).
FASTAPI_CODEGEN = (str(ROOT / fastapi_codegen.ENV / "bin" / "fastapi-codegen"),)
# The small specs: every golden case and the generator's test specs.
SMALL_SPECS = (
    *sorted((ROOT / "tests/codegen/golden").glob("*/spec.yaml")),
    *sorted((ROOT / "tests/codegen/specs").glob("*.yaml")),
)


HISTORY = "## Before and after"


def timed(command: list[str] | tuple[str, ...]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    last = next(
        (line for line in reversed((done.stderr or done.stdout).splitlines()) if line.strip()), ""
    )
    return time.perf_counter() - started, done.returncode, last.strip()


def harbor(spec: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "harbor_pipeline.codegen",
        "generate",
        str(spec),
        str(out),
        *extra,
    ]


def _runs(command: list[str], runs: int) -> tuple[list[float], str]:
    """The wall times of `runs` runs, and "ok" or the last line of the first failure."""
    times, verdict = [], "ok"
    for _ in range(runs):
        seconds, status, last = timed(command)
        times.append(seconds)
        if status != 0 and verdict == "ok":
            verdict = f"exit {status}: {last[:80]}"
    return times, verdict


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s median (min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)"


def small_specs(tmp: Path, runs: int) -> list[str]:
    """One row: the median and the max over the small specs of each spec's median time."""
    medians: dict[str, float] = {}
    spreads: list[float] = []
    failed: list[str] = []
    for i, spec in enumerate(SMALL_SPECS):
        times, verdict = _runs(harbor(spec, tmp / f"small{i}"), runs)
        name = spec.relative_to(ROOT).as_posix()
        medians[name] = statistics.median(times)
        spreads.append((max(times) - min(times)) / statistics.median(times))
        if verdict != "ok":
            failed.append(f"{name}: {verdict}")
    slowest = max(medians, key=medians.__getitem__)
    return [
        f"| Harbor, the {len(medians)} small specs (tests/codegen golden and specs), {runs} runs each "
        f"| {statistics.median(medians.values()):.2f} s median of the specs' medians, "
        f"max {medians[slowest]:.2f} s ({slowest}); a spec's runs spread by "
        f"{statistics.median(spreads):.0%} of its median (median), up to {max(spreads):.0%} "
        f"| {'ok' if not failed else '; '.join(failed)} |"
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per small spec and of ours")
    parser.add_argument("--github-runs", type=int, default=3)
    parser.add_argument("--no-compare", action="store_true", help="skip fastapi-codegen")
    args = parser.parse_args(argv)
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows += small_specs(out, args.runs)
        ours, verdict = _runs(harbor(ROOT / "spec/openapi.yaml", out / "ours"), max(args.runs, 5))
        rows.append(f"| Harbor, spec/openapi.yaml | {_spread(ours)} | {verdict} |")
        cache = out / "cache"
        cached = harbor(ROOT / "spec/openapi.yaml", out / "cached", "--cache-dir", str(cache))
        timed(cached)
        noop, verdict = _runs(cached, 5)
        rows.append(f"| Harbor, unchanged spec and output (no-op) | {_spread(noop)} | {verdict} |")
        if GITHUB.is_file():
            times, verdict = _runs(harbor(GITHUB, out / "github"), args.github_runs)
            rows.append(
                f"| Harbor, GitHub REST API (1,000+ operations) | {_spread(times)} | {verdict} |"
            )
            if not args.no_compare:
                fastapi_codegen.prepare()
                seconds, status, last = timed(
                    [*FASTAPI_CODEGEN, "--input", str(GITHUB), "--output", str(out / "fcg")]
                )
                rows.append(
                    f"| fastapi-codegen 0.8.1, GitHub REST API | {seconds:.1f} s (1 run) | {'ok' if status == 0 else 'failed: ' + last[:80]} |"
                )
            github_cached = harbor(GITHUB, out / "github-cached", "--cache-dir", str(cache))
            timed(github_cached)
            noop, verdict = _runs(github_cached, 3)
            rows.append(f"| Harbor, GitHub REST API, no-op rerun | {_spread(noop)} | {verdict} |")
        else:
            rows.append(f"| Harbor, GitHub REST API | not measured: {GITHUB} absent | - |")
    table = "\n".join(
        [
            "# Generation speed",
            "",
            "`python -m harbor_pipeline.codegen generate SPEC OUT`, one process per run, wall time.",
            "",
            "| what | wall time | result |",
            "| --- | --- | --- |",
            *rows,
            "",
        ]
    )
    target = ROOT / "bench/results/generate.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    # The hand-written notes below the table (before/after figures of past changes) stay.
    kept = target.read_text().partition(HISTORY)[1:] if target.is_file() else ()
    target.write_text(table + ("\n" + "".join(kept) if kept and kept[0] else ""))
    print(table)


if __name__ == "__main__":
    main()
