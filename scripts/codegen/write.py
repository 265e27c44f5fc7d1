"""Put a generated tree in place atomically, or compare it with what is there."""

from __future__ import annotations

import difflib
import shutil
import tempfile
from pathlib import Path


def files_of(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        return {}
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def swap_in(built: Path, target: Path) -> None:
    """Replace `target` with `built` so that stale files vanish and readers never see half a tree."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    shutil.copytree(built, staging / "new")
    old = staging / "old"
    if target.exists():
        target.rename(old)
    (staging / "new").rename(target)
    shutil.rmtree(staging)


def differences(built: Path, target: Path) -> list[str]:
    """A unified diff per file that differs, named relative to `target`; empty when identical."""
    fresh, current = files_of(built), files_of(target)
    report: list[str] = []
    for name in sorted(fresh.keys() | current.keys()):
        new, old = fresh.get(name), current.get(name)
        if new == old:
            continue
        if old is None:
            report.append(f"missing: {target / name} (make generate would create it)")
        elif new is None:
            report.append(f"stale: {target / name} (make generate would delete it)")
        else:
            diff = difflib.unified_diff(
                old.decode(errors="replace").splitlines(keepends=True),
                new.decode(errors="replace").splitlines(keepends=True),
                fromfile=f"{target / name} (committed)",
                tofile=f"{target / name} (fresh)",
            )
            report.append("".join(diff))
    return report
