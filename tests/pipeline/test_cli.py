"""The `harbor` command: one verb per tool, the same exit codes everywhere, help on every verb."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from harbor_pipeline import cli

ROOT = Path(__file__).parents[2]
HARBOR = Path(sys.executable).parent / "harbor"


def _harbor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HARBOR), *args], capture_output=True, text=True, check=False, cwd=cwd
    )


def test_help_lists_every_verb_with_its_summary() -> None:
    done = _harbor("--help")
    assert done.returncode == 0
    for name, verb in cli.VERBS.items():
        assert f"  {name} " in done.stdout and verb.summary in done.stdout


@pytest.mark.parametrize("verb", sorted(cli.VERBS))
def test_every_verb_has_help_naming_itself(verb: str) -> None:
    done = _harbor(verb, "--help")
    assert done.returncode == 0, done.stderr
    assert f"usage: harbor {verb}" in done.stdout
    assert "Traceback" not in done.stderr


def test_an_unknown_verb_is_bad_input_and_lists_the_verbs() -> None:
    done = _harbor("generat", "spec/openapi.yaml")
    assert done.returncode == 2
    assert "unknown verb 'generat'" in done.stderr and "generate" in done.stderr


def test_no_verb_prints_the_usage_and_fails() -> None:
    done = _harbor()
    assert done.returncode == 2
    assert done.stdout.startswith("usage: harbor VERB")


def test_a_verbs_bad_option_is_exit_2_without_traceback() -> None:
    done = _harbor("generate", "--no-such-option")
    assert done.returncode == 2
    assert "harbor generate: error:" in done.stderr and "Traceback" not in done.stderr


def test_the_findings_exit_code_is_1_on_a_breaking_change(tmp_path: Path) -> None:
    base = (ROOT / "spec" / "openapi.yaml").read_text(encoding="utf-8")
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    cancel = base.index("  /v1/orders/{order_id}/cancel:")
    retired = base[:cancel] + base[base.index("\n  /", cancel + 1) + 1 :]
    (tmp_path / "revision.yaml").write_text(retired, encoding="utf-8")
    done = _harbor("breaking", "base.yaml", "revision.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cancel" in done.stdout


def _locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"]}


def test_the_tools_pins_are_the_versions_this_repository_locks() -> None:
    project = tomllib.loads((ROOT / "scripts" / "pyproject.toml").read_text(encoding="utf-8"))
    locked = _locked_versions()
    for requirement in project["project"]["dependencies"]:
        name, _, version = requirement.partition("==")
        name = name.split("[")[0].strip().lower()
        assert version, f"{requirement}: pin the tool's dependencies with =="
        assert locked.get(name) == version, (
            f"{name}: scripts/ pins {version}, uv.lock {locked.get(name)}"
        )


def test_the_wheel_carries_the_templates_and_the_command(tmp_path: Path) -> None:
    uv = ROOT / ".venv-uv" / "bin" / "uv"
    built = subprocess.run(
        [
            str(uv),
            "build",
            "--wheel",
            "--offline",
            "--out-dir",
            str(tmp_path),
            str(ROOT / "scripts"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("harbor_pipeline-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = ROOT / "scripts" / "harbor_pipeline"
    shipped = {
        path.relative_to(sources.parent).as_posix()
        for path in sources.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped - names == set()
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "harbor = harbor_pipeline.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_fuzz_refuses_a_header_that_is_not_name_colon_value(tmp_path: Path) -> None:
    done = _harbor(
        "fuzz", "--url", "http://127.0.0.1:9", "--spec", str(ROOT / "spec" / "openapi.yaml"),
        "--header", "Bearer abc", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--header 'Bearer abc' is not 'NAME: VALUE'" in done.stderr


def test_fuzz_of_a_running_server_needs_its_spec(tmp_path: Path) -> None:
    done = _harbor("fuzz", "--url", "http://127.0.0.1:9", cwd=tmp_path)
    assert done.returncode == 2
    assert "spec/openapi.yaml: error: file not found" in done.stderr
