"""`harbor docs`: no spec or a taken port is one line and exit 2; Ctrl-C stops it cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from harbor_pipeline.cli import main as harbor
from harbor_pipeline.fuzz.server import free_port

from .conftest import SPEC


def test_a_missing_spec_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert harbor(["docs", str(tmp_path / "nope.yaml"), "--port", "1"]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'nope.yaml'}: error: no such file\n"
    assert harbor(["docs", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: error: is a directory, not a spec file\n"


def test_a_port_in_use_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert harbor(["docs", str(spec), "--port", str(port)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"harbor docs: error: cannot listen on 127.0.0.1:{port}: the port is in use"
    )


def test_it_serves_until_ctrl_c_then_exits_0(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC.replace("$ref: 'schemas/pet.yaml'", "type: object"), encoding="utf-8")
    port = free_port()
    # In a folder without .spectral.yaml: the page says Spectral was skipped, and no Node runs.
    command = [sys.executable, "-m", "harbor_pipeline.docs", str(spec), "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while status is None or status["linting"]:
            assert process.poll() is None and time.monotonic() < deadline
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/status", timeout=1).json()
            except httpx.TransportError:
                time.sleep(0.1)
        assert [p["message"] for p in status["problems"]] == [
            f"no .spectral.yaml in {tmp_path}: Spectral skipped [tooling]"
        ]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err and out.rstrip().endswith("harbor docs: stopped")
