"""The CI and pre-commit files: this repository's are the ones `harbor init` writes, and they
call only make targets and hooks that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from harbor_pipeline.init.scaffold import TEMPLATE, render_template

ROOT = Path(__file__).resolve().parents[2]
SHARED = [
    ".github/workflows/contract.yml",
    ".github/actions/harbor-setup/action.yml",
    ".pre-commit-config.yaml",
]
JOBS = {"lint", "generate-check", "breaking", "tests", "fuzz"}


@pytest.mark.parametrize("relative", SHARED)
def test_this_repositorys_file_is_the_one_harbor_init_writes(relative: str) -> None:
    written = render_template(relative, {"name": "harbor", "title": "Harbor"})
    assert (ROOT / relative).read_text() == written, (
        f"{relative} differs from harbor_pipeline/init/template/{relative}: change the template, "
        "then copy it here (one source)"
    )


def test_the_local_hooks_are_the_published_hooks() -> None:
    published = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    (local,) = config["repos"]
    assert local["repo"] == "local"
    keys = ("id", "name", "entry", "args", "language", "files", "pass_filenames")
    assert [{k: h[k] for k in keys} for h in local["hooks"]] == [
        {k: h[k] for k in keys} for h in published
    ]
    assert [h["id"] for h in published] == ["harbor-lint", "harbor-generate-check"]


def _targets(makefile_text: str) -> set[str]:
    return set(re.findall(r"^([a-zA-Z0-9_-]+):", makefile_text, re.MULTILINE))


def test_the_workflow_runs_the_five_jobs_on_make_targets_both_makefiles_have() -> None:
    workflow = yaml.safe_load((ROOT / SHARED[0]).read_text())
    assert set(workflow["jobs"]) == JOBS
    text = (ROOT / SHARED[0]).read_text() + (ROOT / SHARED[1]).read_text()
    used = {
        target
        for line in re.findall(r"\bmake ((?:-s |--no-print-directory )*[a-z][a-z -]*)", text)
        for target in line.split()
        if not target.startswith("-")
    }
    assert {"install", "lint", "generate-check", "verify", "breaking", "pytest", "fuzz"} <= used
    ours = _targets((ROOT / "Makefile").read_text()) | {
        t for mk in (ROOT / "mk").glob("*.mk") for t in _targets(mk.read_text())
    }
    theirs = _targets((TEMPLATE / "Makefile").read_text())
    assert used - ours == set()
    assert used - theirs == set()


def test_the_breaking_job_gates_against_the_base_branchs_releases_in_markdown() -> None:
    job = yaml.safe_load((ROOT / SHARED[0]).read_text())["jobs"]["breaking"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "git archive FETCH_HEAD spec/releases" in script
    assert 'RELEASES="${BASE_RELEASES:-spec/releases}"' in script
    assert "FORMAT=markdown" in script and "$GITHUB_STEP_SUMMARY" in script
