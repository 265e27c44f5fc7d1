"""The generator's command line: exit codes and messages, through a real subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INVALID = Path(__file__).parent / "invalid"
EXPECTED_ERRORS: dict[str, list[str]] = yaml.safe_load((INVALID / "expected.yaml").read_text())


def codegen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.codegen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


COMMANDS = {
    "generate": ["generate", "{spec}", "{out}"],
    "verify": ["verify", "{spec}"],
    "client-python": ["client", "{spec}", "{out}", "--lang", "python"],
    "client-typescript": ["client", "{spec}", "{out}", "--lang", "typescript"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_invalid_spec_is_exit_2_with_every_problem_located(
    name: str, command: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = [arg.format(spec=name, out=out) for arg in COMMANDS[command]]
    result = codegen(*args, cwd=INVALID)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == EXPECTED_ERRORS[name]
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_refused_spec_leaves_an_existing_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert codegen("generate", str(ROOT / "spec/openapi.yaml"), str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = codegen("generate", "dangling_ref.yaml", str(out), cwd=INVALID)
    assert result.returncode == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = codegen("generate", str(tmp_path / "nope.yaml"), str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: error: file not found [file] (at #/)\n"


def test_generate_then_check_agrees_and_detects_drift(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copy(ROOT / "tests/codegen/golden/recursive/spec.yaml", spec)
    out = tmp_path / "pkg"
    assert codegen("generate", str(spec), str(out)).returncode == 0
    assert codegen("generate", str(spec), str(out), "--check").returncode == 0
    (out / "models.py").write_text((out / "models.py").read_text() + "# edited by hand\n")
    (out / "stale.py").write_text("")
    drift = codegen("generate", str(spec), str(out), "--check")
    assert drift.returncode == 1
    assert "-# edited by hand" in drift.stderr and f"stale: {out / 'stale.py'}" in drift.stderr
    assert codegen("generate", str(spec), str(out)).returncode == 0
    assert not (out / "stale.py").exists()


@pytest.mark.parametrize(
    "spec",
    [
        "spec/openapi.yaml",
        "tests/codegen/specs/petstore.yaml",
        "tests/codegen/specs/ref_keys_in_data.yaml",  # `$ref` as a key of examples and x- data
        "tests/codegen/golden/all_features/spec.yaml",
    ],
)
def test_verify_agrees_on_valid_specs(spec: str) -> None:
    result = codegen("verify", spec)
    assert result.returncode == 0, result.stderr
    assert "agrees with the spec" in result.stdout


def test_verify_reports_each_difference_with_a_drifted_package(tmp_path: Path) -> None:
    spec = yaml.safe_load((ROOT / "tests/codegen/golden/all_features/spec.yaml").read_text())
    assert (
        codegen(
            "generate", "tests/codegen/golden/all_features/spec.yaml", str(tmp_path / "pkg")
        ).returncode
        == 0
    )
    pets = spec["paths"]["/pets"]["get"]
    pets["parameters"][0]["schema"]["maximum"] = 40
    pets["parameters"].append({"name": "q", "in": "query", "schema": {"type": "string"}})
    pets["responses"]["429"] = {"description": "Slow down."}
    del spec["paths"]["/pets/{pet_id}"]["delete"]
    drifted = tmp_path / "drifted.yaml"
    drifted.write_text(yaml.safe_dump(spec))
    result = codegen("verify", str(drifted), "--package", str(tmp_path / "pkg"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:-1] == [
        "DELETE /pets/{pet_id}: served by the app but not in the spec",
        "GET /pets: parameter 'q' (query) is in the spec but not in the app",
        "GET /pets: parameter 'limit' (query): maximum is 40 in the spec, 50 in the app",
        "GET /pets: response 429 is in the spec but not in the app",
    ]


def test_an_unchanged_spec_and_output_is_a_no_op_but_a_hand_edit_is_not(tmp_path: Path) -> None:
    spec, out, cache_dir = tmp_path / "spec.yaml", tmp_path / "pkg", tmp_path / "cache"
    shutil.copy(ROOT / "tests/codegen/golden/recursive/spec.yaml", spec)
    assert codegen(
        "generate", str(spec), str(out), "--cache-dir", str(cache_dir)
    ).stdout.startswith("generated")
    again = codegen("generate", str(spec), str(out), "--cache-dir", str(cache_dir))
    assert again.stdout == f"{out} is up to date with {spec}\n"
    (out / "models.py").write_text("# edited by hand\n")
    assert codegen(
        "generate", str(spec), str(out), "--cache-dir", str(cache_dir)
    ).stdout.startswith("generated")
    assert (out / "models.py").read_text() != "# edited by hand\n"


def test_a_parameter_without_a_name_is_left_out_with_a_located_warning(tmp_path: Path) -> None:
    spec = ROOT / "tests/codegen/golden/shadowing/spec.yaml"
    result = codegen("generate", str(spec), str(tmp_path / "out"))

    assert result.returncode == 0, result.stderr
    lines = spec.read_text().splitlines()
    line = lines.index("    post:", lines.index("  /archive:")) + 1
    warnings = [text for text in result.stderr.splitlines() if "[parameter-unnamed]" in text]
    assert warnings == [
        f"{spec}:{line}: warning: a query parameter has an empty name: no request can carry it, so "
        "it is left out [parameter-unnamed] (at #/paths/~1archive/post)"
    ]


class CrashingValidator:
    def __init__(self, spec: object) -> None:
        self.spec = spec

    def iter_errors(self) -> list[object]:
        raise ValueError(f"cannot handle {self.spec!r}")


def test_a_crashing_validator_warns_in_one_short_line_not_with_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harbor_pipeline.codegen import load as load_module

    monkeypatch.setattr(load_module, "SpecValidator31", CrashingValidator)
    document = load_module.load(ROOT / "spec/openapi.yaml")
    (warning,) = [w for w in document.warnings if w.rule == "validator-crashed"]
    assert len(warning.message) < 400 and "ValueError" in warning.message


def test_a_3_2_querystring_parameter_is_located_even_when_the_validator_cannot_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harbor_pipeline.codegen import load as load_module
    from harbor_pipeline.codegen.parse import parse
    from harbor_pipeline.codegen.problems import SpecError

    monkeypatch.setattr(load_module, "SpecValidator31", CrashingValidator)
    document = load_module.load(INVALID / "querystring_parameter.yaml")
    with pytest.raises(SpecError) as error:
        parse(document)

    (problem,) = error.value.problems
    assert (problem.rule, problem.line) == ("parameter-location", 12)
    assert problem.pointer == "/paths/~1things/get/parameters/0/in"
