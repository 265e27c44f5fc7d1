"""The Done-when of issue #21: in a clean venv, `pip install ./scripts`, `harbor init`, then the
new project's `make test` passes and its `make run` serves, with no file edited.

About 25 s here with warm caches (the figures print with `pytest -s`): it runs in `make test`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from harbor_pipeline.init.scaffold import template_files

from .flow import Timings, install_tool, make_serve, run


@dataclass
class Adopted:
    project: Path
    env: dict[str, str]
    make_test: str
    timings: Timings
    after_init: dict[str, str]


# What installing and running make, not what init wrote.
_MADE = {".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis", ".schemathesis"}


def snapshot(project: Path) -> dict[str, str]:
    """Every file init wrote (or anything wrote beside them), with its content's digest."""
    return {
        str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(project.rglob("*"))
        if p.is_file() and not _MADE & set(p.relative_to(project).parts)
    }


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adopted]:
    base = tmp_path_factory.mktemp("adopt")
    timings = Timings()
    env = install_tool(base / "tool-venv", timings)
    with timings.measure("init"):
        run(["harbor", "init", "starter"], base, env)
    project = base / "starter"
    after_init = snapshot(project)
    with timings.measure("make test"):
        output = run(["make", "test"], project, env)
    yield Adopted(project, env, output, timings, after_init)
    print(f"\nharbor init flow: {timings.line()}")


def test_the_harbor_command_is_the_clean_venvs(adopted: Adopted) -> None:
    where = run(["bash", "-c", "command -v harbor"], adopted.project, adopted.env).strip()
    assert where == str(adopted.project.parent / "tool-venv" / "bin" / "harbor")


def test_the_installed_wheel_wrote_every_template_file_dotfiles_too(adopted: Adopted) -> None:
    expected = {target.as_posix() for _, target in template_files()}
    assert {".spectral.yaml", ".ci/run", ".github/workflows/contract.yml"} <= expected
    assert expected - set(adopted.after_init) == set()


def test_make_test_passes_lint_generate_check_verify_breaking_and_pytest(adopted: Adopted) -> None:
    assert "spec/openapi.yaml: lint clean" in adopted.make_test
    assert "the generated app agrees with the spec (3 operations)" in adopted.make_test
    assert "compatible: 0 errors" in adopted.make_test
    assert " passed" in adopted.make_test and "failed" not in adopted.make_test


def test_make_run_serves_the_starter_api_to_a_token_and_refuses_without(adopted: Adopted) -> None:
    with adopted.timings.measure("make run"), make_serve(adopted.project, adopted.env) as url:
        refused = httpx.get(f"{url}/v1/notes")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"] == "Bearer"
        auth = {"Authorization": "Bearer dev-token"}  # what `make run` accepts, as it says
        created = httpx.post(f"{url}/v1/notes", json={"text": "hello"}, headers=auth)
        assert created.status_code == 201
        listed = httpx.get(f"{url}/v1/notes", headers=auth).json()
        assert listed == {"data": [created.json()], "next_cursor": None}


def test_make_mock_answers_from_the_spec_examples_before_any_server_exists(
    adopted: Adopted,
) -> None:
    with make_serve(adopted.project, adopted.env, "mock", "MOCK_PORT") as url:
        auth = {"Authorization": "Bearer anything"}  # the mock checks presence only
        page = httpx.get(f"{url}/v1/notes", headers=auth).json()
        assert page["data"][0]["text"] == "Buy oat milk"  # the spec's onePage example
        assert httpx.get(f"{url}/v1/notes").status_code == 401
        missing = httpx.get(
            f"{url}/v1/notes/{page['data'][0]['id']}", headers={**auth, "Prefer": "code=404"}
        )
        assert missing.status_code == 404


def test_make_fuzz_finds_nothing_with_every_check(adopted: Adopted) -> None:
    with adopted.timings.measure("make fuzz"):
        output = run(["make", "fuzz", "FUZZ_EXAMPLES=10"], adopted.project, adopted.env)
    assert "No issues found" in output
    assert "Stateful" in output  # every phase ran, the stateful one too


def test_no_file_was_edited_or_added_by_make_test_and_make_run(adopted: Adopted) -> None:
    assert snapshot(adopted.project) == adopted.after_init
