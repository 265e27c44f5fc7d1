"""Run one tool over many specs in parallel subprocesses and classify each outcome."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

# Exit codes of `python -m scripts.codegen verify`.
OUTCOMES = {0: "pass", 1: "differs", 2: "invalid spec", 3: "crash"}


@dataclass(frozen=True, slots=True)
class Outcome:
    spec: str
    result: str
    seconds: float
    first_error: str


Command = Callable[[Path], list[str]]


def verify_command(spec: Path) -> list[str]:
    return [sys.executable, "-m", "scripts.codegen", "verify", str(spec)]


def fastapi_codegen_command(spec: Path) -> list[str]:
    return [sys.executable, "-m", "scripts.corpus.fastapi_codegen", str(spec)]


def run_one(spec: Path, command: Command, timeout: float) -> Outcome:
    started = time.monotonic()
    try:
        done = subprocess.run(
            command(spec), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(
            spec.name, "timeout", time.monotonic() - started, f"no answer in {timeout:.0f}s"
        )
    seconds = time.monotonic() - started
    lines = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith(" ")]
    first = lines[0] if lines else ""
    result = OUTCOMES.get(done.returncode, "crash")
    if "Traceback" in done.stderr:
        result = "crash"
        first = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), first)
    return Outcome(_name(spec), result, seconds, first.replace(str(spec), "SPEC")[:240])


def _name(spec: Path) -> str:
    """The spec's path below its package (`amazonaws.com/waf.json`), readable and unique."""
    parts = spec.parts
    for anchor in ("api", "generated"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor) :])
    return spec.name


def run_all(
    specs: Iterable[Path], command: Command, *, workers: int, timeout: float, progress: bool = True
) -> list[Outcome]:
    specs = list(specs)
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for n, outcome in enumerate(pool.map(lambda s: run_one(s, command, timeout), specs), 1):
            outcomes.append(outcome)
            if progress and (n % 50 == 0 or n == len(specs)):
                passed = sum(o.result == "pass" for o in outcomes)
                print(f"corpus: {n}/{len(specs)} done, {passed} pass", file=sys.stderr, flush=True)
    return outcomes
