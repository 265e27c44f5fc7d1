"""The mock as a partner runs it: `python -m harbor_pipeline.mock SPEC --port N`, a real process."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from harbor_pipeline.fuzz.server import free_port

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def running_mock(spec: Path, timeout: float = 30.0) -> Iterator[str]:
    """Serve `spec` on a free 127.0.0.1 port until the block ends; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "harbor_pipeline.mock", str(spec), "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    # The log goes to a file, never a pipe nobody reads: uvicorn's warnings about the fuzzer's
    # malformed requests would fill it and stall the mock mid-run.
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _answers(url):
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"the mock exited with {process.returncode}: {log.read()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the mock at {url} did not answer within {timeout:.0f}s")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/", timeout=1):  # loopback only
            return True
    except urllib.error.HTTPError:
        return True  # a 404 problem: it is up
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
