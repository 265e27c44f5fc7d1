"""The Python client's README example runs against the live service as printed (the TypeScript
one runs from the installed tarball, in test_ts_package.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from harbor_pipeline.fuzz.server import LiveServer
from tests.clients.readme import ROOT, example


def test_the_python_readme_example_runs_against_the_server(
    server: LiveServer, token_for: Callable[[str], str]
) -> None:
    code = example(ROOT / "clients/python/README.md", "python", server.url, token_for)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # The create's status and order, then every order of the customer (this one among them);
    # an error answer would print its status and title instead.
    assert lines[0].startswith("201 ") and "amount_cents=2599" in lines[0], done.stdout
    created_id = lines[0].split("id=UUID('")[1].split("'")[0]
    assert any(created_id in line for line in lines[1:]), done.stdout
