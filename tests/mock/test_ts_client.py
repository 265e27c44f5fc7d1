"""The generated TypeScript client against a running `harbor mock` (#21: the generated clients'
scenarios pass against it): tests/mock/ts/mock.test.ts, compiled with `tsc --strict` as
`make test-clients-ts` compiles its tests, run by `node --test` with the mock's URL."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .conftest import HARBOR, ROOT, TOKEN
from .live import running_mock

TSC = ROOT / "node_modules" / ".bin" / "tsc"
TESTS = Path(__file__).parent / "ts"


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300
    )


def test_the_typescript_client_against_the_mock(tmp_path: Path) -> None:
    compiled = run(
        [str(TSC), "--strict", "-p", str(TESTS / "tsconfig.json"), "--outDir", str(tmp_path)]
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    (tmp_path / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")  # openapi-fetch, as installed
    (test_file,) = tmp_path.glob("tests/mock/ts/*.test.js")
    with running_mock(HARBOR) as url:
        env = {**os.environ, "HARBOR_MOCK_URL": url, "HARBOR_MOCK_TOKEN": TOKEN}
        done = run(["node", "--test", str(test_file)], env=env)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    # Every scenario ran and passed: node prints its totals.
    assert "# pass 3" in report and "# fail 0" in report, report
