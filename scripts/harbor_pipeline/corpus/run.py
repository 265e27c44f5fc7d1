"""Run one tool over many specs, each in a forked child of a warm interpreter, and classify.

Forking after the heavy imports (the validator, datamodel-code-generator, FastAPI) saves about
a second per spec over a fresh `python -m ...`, which is most of the time on small specs; each
child is still its own process, so a crash, a leak or a hang stays in it (killed at the timeout).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO

# Exit codes of `python -m harbor_pipeline.codegen verify` (and 4: harbor_pipeline.corpus.harbor's client check).
OUTCOMES = {0: "pass", 1: "differs", 2: "invalid spec", 3: "crash", 4: "client fails"}
EXIT_CRASH = 3

Tool = Callable[[Path], int]


@dataclass(frozen=True, slots=True)
class Outcome:
    spec: str
    result: str
    seconds: float
    first_error: str


@dataclass(slots=True)
class _Running:
    spec: Path
    process: BaseProcess
    output: IO[str]
    started: float


def _child(tool: Tool, spec: Path, output_fd: int) -> None:
    os.setsid()  # its own process group: a timeout kills the tool's subprocesses too
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    # New streams on the redirected descriptors: the inherited ones may write elsewhere (pytest).
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    try:
        code = tool(spec)
    except BaseException:
        traceback.print_exc()
        code = EXIT_CRASH
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_all(
    specs: Iterable[Path],
    tool: Tool,
    *,
    workers: int,
    timeout: float,
    progress: bool = True,
    record: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    context = multiprocessing.get_context("fork")
    pending = deque(specs)
    total = len(pending)
    running: dict[int, _Running] = {}
    outcomes: list[Outcome] = []
    while pending or running:
        while pending and len(running) < workers:
            spec = pending.popleft()
            # Closed in _outcome, once the child is done with it.
            output = tempfile.TemporaryFile("w+", prefix="harbor-corpus-")  # noqa: SIM115
            process = context.Process(target=_child, args=(tool, spec, output.fileno()))
            process.start()
            running[process.sentinel] = _Running(spec, process, output, time.monotonic())
        multiprocessing.connection.wait(list(running), timeout=1.0)
        now = time.monotonic()
        for sentinel, job in list(running.items()):
            # A child that finished is judged by its exit, however long the parent was paused.
            overdue = job.process.exitcode is None and now - job.started > timeout
            if job.process.exitcode is None and not overdue:
                continue
            if overdue:
                _kill_group(job.process)
            del running[sentinel]
            outcomes.append(_outcome(job, overdue, timeout))
            if record:
                record(outcomes[-1])
            if progress and (len(outcomes) % 50 == 0 or len(outcomes) == total):
                passed = sum(o.result == "pass" for o in outcomes)
                print(
                    f"corpus: {len(outcomes)}/{total} done, {passed} pass",
                    file=sys.stderr,
                    flush=True,
                )
    return outcomes


def _kill_group(process: BaseProcess) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid or 0, signal.SIGKILL)
    process.join()


def _outcome(job: _Running, overdue: bool, timeout: float) -> Outcome:
    seconds = time.monotonic() - job.started
    job.process.join()
    job.output.seek(0)
    text = job.output.read()
    job.output.close()
    if overdue:
        return Outcome(spec_name(job.spec), "timeout", seconds, f"no answer in {timeout:.0f}s")
    code = job.process.exitcode
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(" ")]
    # The first complaint, not the success lines a passing stage printed before a later one failed.
    complaints = [line for line in lines if not line.startswith(str(job.spec) + ": the ")]
    first = complaints[0] if complaints else ""
    result = OUTCOMES.get(code if code is not None and code >= 0 else EXIT_CRASH, "crash")
    if code is not None and code < 0:
        first = f"killed by signal {-code}"
    if "Traceback" in text:
        result = "crash"
        first = next((line for line in reversed(text.splitlines()) if line.strip()), first)
    return Outcome(spec_name(job.spec), result, seconds, first.replace(str(job.spec), "SPEC")[:240])


def spec_name(spec: Path) -> str:
    """The spec's path below its package (`amazonaws.com/waf.json`), readable and unique."""
    parts = spec.parts
    for anchor in ("api", "generated"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor) :])
    return spec.name
