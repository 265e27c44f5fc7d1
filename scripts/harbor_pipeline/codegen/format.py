"""Format generated Python with the pinned ruff: imports sorted and pruned, then `ruff format`."""

from __future__ import annotations

import functools
import subprocess
import sys
import sysconfig
from pathlib import Path

# Isolated: the output must not depend on whichever ruff config sits above the target directory.
_COMMON = ["--isolated", "--no-cache", "--line-length", "100", "--target-version", "py311"]


def format_tree(directory: Path) -> None:
    ruff = _ruff()
    _run(
        [
            *ruff,
            "check",
            *_COMMON,
            "--select",
            "I,F401",
            "--fix",
            "--exit-zero",
            "--quiet",
            str(directory),
        ]
    )
    _run([*ruff, "format", *_COMMON, str(directory)])


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"ruff failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout.strip()}"
        )


@functools.cache
def _ruff() -> list[str]:
    """The pinned ruff's binary, beside this interpreter: `python -m ruff` would start a second
    interpreter only to exec it."""
    binary = Path(sysconfig.get_path("scripts")) / "ruff"
    return [str(binary)] if binary.is_file() else [sys.executable, "-m", "ruff"]
