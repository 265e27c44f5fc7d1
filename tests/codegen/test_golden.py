"""Golden tests: each small spec generates exactly its checked-in tree, which type-checks and lints."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

from harbor_pipeline.codegen.write import files_of
from tests.codegen.golden_cases import GOLDEN, cases, generate_case


@pytest.mark.parametrize("case", cases())
def test_generates_the_expected_tree(case: str, tmp_path: Path) -> None:
    built = files_of(generate_case(case, tmp_path))
    expected = files_of(GOLDEN / case / "expected")
    assert sorted(built) == sorted(expected), (
        "file lists differ; run `make regen-golden` and review"
    )
    for name, text in built.items():
        if text != expected[name]:
            diff = "".join(
                difflib.unified_diff(
                    expected[name].decode().splitlines(keepends=True),
                    text.decode().splitlines(keepends=True),
                    f"expected/{name}",
                    f"generated/{name}",
                )
            )
            pytest.fail(f"{case}/{name} differs from its golden file:\n{diff}")


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = files_of(generate_case("all_features", tmp_path / "one"))
    second = files_of(generate_case("all_features", tmp_path / "two"))
    assert first == second


def test_golden_output_passes_mypy_strict_and_ruff() -> None:
    trees = [str(GOLDEN / case / "expected") for case in cases()]
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file=/dev/null",
            *trees,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=GOLDEN,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E9,F", *trees],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


@pytest.mark.parametrize("case", cases())
def test_the_generated_app_agrees_with_its_spec(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from harbor_pipeline.codegen.verify import verify_spec

    assert verify_spec(GOLDEN / case / "spec.yaml") == 0, capsys.readouterr().err


@pytest.mark.parametrize("case", cases())
def test_the_python_client_of_every_golden_spec_imports(case: str) -> None:
    from harbor_pipeline.codegen.load import load
    from harbor_pipeline.codegen.verify import spec_operations
    from harbor_pipeline.corpus.harbor import client_methods

    document = load(GOLDEN / case / "spec.yaml")

    assert client_methods(document) == sum(1 for _ in spec_operations(document.data))
