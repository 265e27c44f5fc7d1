"""The pre-commit hooks, run by the pre-commit package against a copy of this repository, offline
(PRE_COMMIT_HOME in a temporary folder; every proxy pointed at a closed port)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree's files (tracked and new, not ignored) in a fresh git repository."""
    target = tmp_path_factory.mktemp("precommit") / "repo"
    files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, files.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "node_modules").symlink_to(
        ROOT / "node_modules"
    )  # Spectral, as `make install` left it
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "copy", cwd=target)
    return target


def pre_commit(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    closed = "http://127.0.0.1:9"  # nothing listens: any download would fail the run
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # the hooks run `harbor` from PATH
        "PRE_COMMIT_HOME": str(copy.parent / "pre-commit-home"),
        **{proxy: closed for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")},
    }
    return subprocess.run(
        [str(BIN / "pre-commit"), "run", *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_both_hooks_pass_on_this_repository(copy: Path) -> None:
    done = pre_commit(copy, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "harbor lint" in done.stdout and "harbor generate --check" in done.stdout
    assert done.stdout.count("Passed") == 2


def test_the_lint_hook_fails_on_a_broken_spec(copy: Path) -> None:
    spec = copy / "spec" / "openapi.yaml"
    original = spec.read_text()
    line = "          description: A URI that identifies the kind of problem.\n"
    assert line in original
    spec.write_text(original.replace(line, "", 1))
    try:
        done = pre_commit(copy, "harbor-lint", "--files", "spec/openapi.yaml")
    finally:
        spec.write_text(original)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    assert "[property-has-description]" in done.stdout


def test_the_generate_check_hook_fails_on_a_hand_edit_of_generated(copy: Path) -> None:
    models = copy / "generated" / "models.py"
    original = models.read_text()
    models.write_text(original + "# edited by hand\n")
    try:
        done = pre_commit(copy, "harbor-generate-check", "--files", "generated/models.py")
    finally:
        models.write_text(original)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout and "models.py" in done.stdout


def test_an_adopter_uses_the_published_hooks_from_this_repository(copy: Path) -> None:
    """`.pre-commit-hooks.yaml` as a `repo:` entry: pre-commit clones the copy (a local path,
    no network) and runs its `language: unsupported` hooks with the harbor on PATH."""
    adopter = copy.parent / "adopter"
    done = subprocess.run(
        [str(BIN / "harbor"), "init", str(adopter)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    (adopter / "node_modules").symlink_to(ROOT / "node_modules")
    rev = git("rev-parse", "HEAD", cwd=copy).strip()
    hooks = "[{id: harbor-lint}, {id: harbor-generate-check}]"
    (adopter / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {copy}\n    rev: {rev}\n    hooks: {hooks}\n"
    )
    git("init", "-q", cwd=adopter)
    git("add", "-A", cwd=adopter)
    done = pre_commit(adopter, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Passed") == 2
    spec = adopter / "spec" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("operationId: getNote", "operationId: get_note"))
    done = pre_commit(adopter, "harbor-lint", "--all-files")
    assert done.returncode == 1 and "[operation-id-camel-case]" in done.stdout, done.stdout


def test_the_hook_files_are_valid_for_pre_commit() -> None:
    for command, path in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        done = subprocess.run(
            [str(BIN / "pre-commit"), command, path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
