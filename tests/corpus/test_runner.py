"""The corpus runner classifies every way a tool can end, and a hang or crash stays in its child."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

from harbor_pipeline.corpus.__main__ import main as corpus_main
from harbor_pipeline.corpus.run import Outcome, run_all, spec_name


def _tool(spec: Path) -> int:
    behaviour = spec.stem
    print(f"{spec}: the generated app agrees with the spec")  # a stage's success line
    if behaviour == "hang":
        time.sleep(60)
    if behaviour == "boom":
        raise RuntimeError("the tool blew up")
    if behaviour == "signal":
        os.kill(os.getpid(), signal.SIGKILL)
    code = int(behaviour.removeprefix("exit"))
    if code:
        print(f"{spec}:1: error: complaint number {code}", file=sys.stderr)
    return code


def _specs(tmp_path: Path, *names: str) -> list[Path]:
    paths = [tmp_path / "api" / f"{name}.json" for name in names]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    return paths


def test_each_exit_code_maps_to_its_result_with_the_first_complaint(tmp_path):
    specs = _specs(tmp_path, "exit0", "exit1", "exit2", "exit3", "exit4")
    outcomes = {o.spec: o for o in run_all(specs, _tool, workers=2, timeout=30, progress=False)}
    assert {name: o.result for name, o in outcomes.items()} == {
        "exit0.json": "pass",
        "exit1.json": "differs",
        "exit2.json": "invalid spec",
        "exit3.json": "crash",
        "exit4.json": "client fails",
    }
    assert outcomes["exit0.json"].first_error == ""
    assert outcomes["exit2.json"].first_error == "SPEC:1: error: complaint number 2"


def test_an_exception_a_signal_and_a_hang_are_contained(tmp_path):
    specs = _specs(tmp_path, "boom", "signal", "hang", "exit0")
    started = time.monotonic()
    outcomes = {o.spec: o for o in run_all(specs, _tool, workers=2, timeout=2, progress=False)}
    assert time.monotonic() - started < 30
    assert outcomes["boom.json"].result == "crash"
    assert "RuntimeError: the tool blew up" in outcomes["boom.json"].first_error
    assert outcomes["signal.json"] == Outcome(
        "signal.json", "crash", outcomes["signal.json"].seconds, "killed by signal 9"
    )
    assert outcomes["hang.json"].result == "timeout"
    assert outcomes["exit0.json"].result == "pass"


def test_resume_runs_only_what_the_interrupted_run_left(tmp_path, monkeypatch):
    specs = _specs(tmp_path, "exit0", "exit1")
    out = tmp_path / "report.md"
    earlier = Outcome(spec_name(specs[0]), "pass", 1.5, "")
    out.with_suffix(".jsonl").write_text(json.dumps(dataclasses.asdict(earlier)) + "\n")
    monkeypatch.setattr("harbor_pipeline.corpus.harbor.main", _tool)
    assert corpus_main([*map(str, specs), "--out", str(out), "--resume", "--workers", "1"]) == 0
    table = out.read_text()
    assert "2 OpenAPI 3.x documents" in table
    assert "(1 recorded by an earlier, interrupted run)" in table
    assert "| exit1.json | differs |" in table
    assert len(out.with_suffix(".jsonl").read_text().splitlines()) == 2
