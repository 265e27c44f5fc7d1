"""Generation speed: our spec (median of 5), GitHub's REST API against fastapi-codegen, and a no-op rerun.

Run with `make bench-generate` (needs `make corpus` for GitHub's spec). Writes
bench/results/generate.md and prints the same table.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.corpus import fastapi_codegen

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / "corpus/node_modules/@octokit/openapi/generated/api.github.com.json"
# fastapi-codegen in the pinned environment the corpus comparison uses (scripts/corpus).
FASTAPI_CODEGEN = (str(ROOT / fastapi_codegen.ENV / "bin" / "fastapi-codegen"),)


def timed(command: list[str] | tuple[str, ...]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    last = next(
        (line for line in reversed((done.stderr or done.stdout).splitlines()) if line.strip()), ""
    )
    return time.perf_counter() - started, done.returncode, last.strip()


def harbor(spec: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scripts.codegen", "generate", str(spec), str(out), *extra]


def main() -> None:
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        ours = [
            timed(harbor(ROOT / "spec/openapi.yaml", Path(tmp) / f"ours{i}"))[0] for i in range(5)
        ]
        rows.append(
            f"| Harbor, spec/openapi.yaml ({len(ours)} runs) | {statistics.median(ours):.2f} s median (min {min(ours):.2f}, max {max(ours):.2f}) | ok |"
        )
        cache = Path(tmp) / "cache"
        timed(harbor(ROOT / "spec/openapi.yaml", Path(tmp) / "cached", "--cache-dir", str(cache)))
        noop = [
            timed(
                harbor(ROOT / "spec/openapi.yaml", Path(tmp) / "cached", "--cache-dir", str(cache))
            )[0]
            for _ in range(5)
        ]
        rows.append(
            f"| Harbor, unchanged spec and output (no-op) | {statistics.median(noop):.2f} s median | ok |"
        )
        if GITHUB.is_file():
            fastapi_codegen.prepare()
            seconds, status, last = timed(harbor(GITHUB, Path(tmp) / "github"))
            rows.append(
                f"| Harbor, GitHub REST API (1,000+ operations) | {seconds:.1f} s | {'ok' if status == 0 else last} |"
            )
            seconds, status, last = timed(
                [*FASTAPI_CODEGEN, "--input", str(GITHUB), "--output", str(Path(tmp) / "fcg")]
            )
            rows.append(
                f"| fastapi-codegen 0.8.1, GitHub REST API | {seconds:.1f} s | {'ok' if status == 0 else 'failed: ' + last[:80]} |"
            )
            timed(harbor(GITHUB, Path(tmp) / "github-cached", "--cache-dir", str(cache)))
            seconds, _, _ = timed(
                harbor(GITHUB, Path(tmp) / "github-cached", "--cache-dir", str(cache))
            )
            rows.append(f"| Harbor, GitHub REST API, no-op rerun | {seconds:.2f} s | ok |")
    table = "\n".join(
        [
            "# Generation speed",
            "",
            "| what | wall time | result |",
            "| --- | --- | --- |",
            *rows,
            "",
        ]
    )
    out = ROOT / "bench/results/generate.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    print(table)


if __name__ == "__main__":
    main()
