"""`harbor init`: its refusals, its options, and the pins and rules it brings."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from harbor_pipeline.cli import main as harbor
from harbor_pipeline.init.scaffold import TEMPLATE, project_name, title_of

ROOT = Path(__file__).resolve().parents[2]


def test_help_names_the_folder_and_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert harbor(["init", "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: harbor init" in out
    for option in ("DIR", "--name", "--title", "--force"):
        assert option in out


def test_a_non_empty_folder_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert harbor(["init", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_force_writes_into_a_non_empty_folder_naming_each_file_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Makefile").write_text("mine\n")
    (tmp_path / "notes.txt").write_text("mine")
    assert harbor(["init", str(tmp_path), "--force"]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'Makefile'}: replaced (--force)" in err
    assert "notes.txt" not in err  # not the template's: untouched
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "Makefile").read_text() == (TEMPLATE / "Makefile").read_text()


def test_force_over_an_earlier_project_keeps_its_releases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert harbor(["init", str(tmp_path)]) == 0
    release = tmp_path / "spec" / "releases" / "1.0.0.yaml"
    release.write_text(release.read_text().replace("version: 1.0.0", "version: 1.0.0 # theirs"))
    capsys.readouterr()
    assert harbor(["init", str(tmp_path), "--force"]) == 0
    assert "kept as it is (1.0.0.yaml)" in capsys.readouterr().err
    assert "# theirs" in release.read_text()


def test_a_file_where_a_folder_of_the_template_goes_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "service").write_text("a file")
    assert harbor(["init", str(tmp_path), "--force"]) == 2
    err = capsys.readouterr().err
    assert "service" in err and "Traceback" not in err


def test_a_path_that_is_a_file_or_a_name_that_is_not_a_package_name_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("")
    assert harbor(["init", str(tmp_path / "file")]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert harbor(["init", str(tmp_path / "new"), "--name", "!!!"]) == 2
    assert "not usable as a package name" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_the_name_is_substituted_and_the_project_is_complete(tmp_path: Path) -> None:
    project = tmp_path / "Orders Service"
    assert harbor(["init", str(project)]) == 0
    assert json.loads((project / "package.json").read_text())["name"] == "orders-service-tools"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "orders-service"
    spec = yaml.safe_load((project / "spec" / "openapi.yaml").read_text())
    assert spec["info"]["title"] == "Orders Service API"
    assert (project / "spec" / "releases" / "1.0.0.yaml").read_text() == (
        project / "spec" / "openapi.yaml"
    ).read_text()
    assert "class NotesApi(Protocol" in (project / "generated" / "notes.py").read_text()
    assert (project / ".gitignore").is_file() and (project / ".ci" / "run").stat().st_mode & 0o111
    # No Jinja left over (Spectral's `{{path}}` and GitHub's `${{ }}` are their own syntax).
    left = [
        p
        for p in project.rglob("*")
        if p.is_file() and re.search(r"\{\{ \w+ \}\}|\{%", p.read_text())
    ]
    assert left == []


def test_a_title_with_yaml_and_toml_syntax_in_it_stays_a_title(tmp_path: Path) -> None:
    title = 'Orders: "v2" & more'
    assert harbor(["init", str(tmp_path / "p"), "--title", title]) == 0
    spec = yaml.safe_load((tmp_path / "p" / "spec" / "openapi.yaml").read_text())
    assert spec["info"]["title"] == title
    assert spec["info"]["contact"]["name"] == f"{title} team"
    pyproject = tomllib.loads((tmp_path / "p" / "pyproject.toml").read_text())
    assert pyproject["project"]["description"].startswith(f"{title}: ")
    assert harbor(["init", str(tmp_path / "q"), "--title", "two\nlines"]) == 2


@pytest.mark.parametrize(
    ("raw", "name", "title"),
    [
        ("notes", "notes", "Notes API"),
        ("Notes-API", "notes-api", "Notes API"),
        ("my.app_2", "my.app_2", "My App 2 API"),
    ],
)
def test_names_and_titles(raw: str, name: str, title: str) -> None:
    assert project_name(raw) == name
    assert title_of(name) == title


def _lock_versions(lock: dict[str, dict[str, dict[str, str]]]) -> dict[str, str]:
    return {path: entry["version"] for path, entry in lock["packages"].items() if path}


def test_the_node_tools_are_pinned_as_this_repository_locks_them() -> None:
    ours = json.loads((ROOT / "package-lock.json").read_text())
    theirs = json.loads((TEMPLATE / "package-lock.json.j2").read_text().replace("{{ name }}", "x"))
    pins = json.loads((TEMPLATE / "package.json.j2").read_text().replace("{{ name }}", "x"))
    expected = {
        "@stoplight/spectral-cli",
        "@stoplight/spectral-owasp-ruleset",
        "openapi-typescript",
    }
    assert set(pins["devDependencies"]) == expected
    for package, version in pins["devDependencies"].items():
        assert ours["packages"][f"node_modules/{package}"]["version"] == version, package
    assert theirs["packages"][""]["devDependencies"] == pins["devDependencies"]
    # Every package of the new project's tree at the version this repository tests.
    mine = _lock_versions(ours)
    assert {p: v for p, v in _lock_versions(theirs).items() if mine.get(p) != v} == {}


def test_the_python_requirements_are_pinned_as_uv_lock_holds_them() -> None:
    locked = {
        p["name"]: p["version"] for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]
    }
    pins = {}
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for line in (TEMPLATE / requirements).read_text().splitlines():
            if line and not line.startswith(("#", "-r")):
                name, version = line.split("==")
                pins[name] = version
    assert {"fastapi", "uvicorn", "pydantic", "pytest", "httpx"} <= set(pins)
    assert {name: locked.get(name) for name in pins} == pins


def test_the_lint_rules_are_this_repositorys() -> None:
    ours = yaml.safe_load((ROOT / ".spectral.yaml").read_text())
    assert yaml.safe_load((TEMPLATE / ".spectral.yaml").read_text()) == ours
