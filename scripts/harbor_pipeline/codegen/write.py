"""Put a generated tree in place atomically, or compare it with what is there."""

from __future__ import annotations

import difflib
import fnmatch
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# What a user builds or installs inside a generated tree (a client's `npm run build` or
# `npm pack`, a wheel build): never generated, so regeneration keeps it and checks ignore it.
BUILD_OUTPUTS = ("dist", "build", "node_modules", "*.egg-info", "*.tgz")


def is_build_output(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in BUILD_OUTPUTS)


def generated_files(directory: Path) -> Iterator[Path]:
    """The files of a generated tree, sorted: not bytecode caches, not the user's build outputs."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).parts
        if path.is_file() and "__pycache__" not in relative and not is_build_output(relative[0]):
            yield path


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes() for path in generated_files(directory)
    }


def swap_in(built: Path, target: Path) -> None:
    """Replace `target` with `built` so that stale files vanish and readers never see half a
    tree; the user's build outputs inside `target` move into the new tree untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    new = staging / "new"
    shutil.copytree(built, new)
    if target.exists():
        for entry in target.iterdir():
            if is_build_output(entry.name) and not (new / entry.name).exists():
                entry.rename(new / entry.name)
        target.rename(staging / "old")
    new.rename(target)
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
