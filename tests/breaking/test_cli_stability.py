"""The command line with x-stability-level: the threshold, its default and a bad level."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from harbor_pipeline.breaking.__main__ import main
from tests.breaking.test_cli import BASE, _breaking, _write


def _at(level: str, document: dict[str, Any]) -> dict[str, Any]:
    marked = copy.deepcopy(document)
    marked["paths"]["/orders"]["post"]["x-stability-level"] = level
    return marked


@pytest.mark.parametrize(
    ("level", "threshold", "exit_code"),
    [
        ("alpha", None, 0),
        ("draft", None, 0),
        ("beta", None, 1),
        ("beta", "stable", 0),
        ("alpha", "draft", 1),
        ("stable", "stable", 1),
    ],
)
def test_a_break_below_the_threshold_does_not_fail(
    tmp_path: Path, level: str, threshold: str | None, exit_code: int
) -> None:
    base = _write(tmp_path / "base.yaml", _at(level, BASE))
    revision = _write(tmp_path / "rev.yaml", _at(level, _breaking()))
    option = [] if threshold is None else ["--stability-threshold", threshold]
    assert main([base, revision, *option]) == exit_code


def test_a_change_below_the_threshold_is_info_naming_the_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.yaml", _at("alpha", BASE))
    assert main([base, _write(tmp_path / "rev.yaml", _at("alpha", _breaking()))]) == 0
    out = capsys.readouterr().out
    assert "info    request-property-became-required: property 'note' became required " in out
    assert "(alpha operation: below the stability threshold, not judged)" in out


def test_lowering_the_level_fails_even_below_the_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.yaml", BASE)
    revision = _write(tmp_path / "rev.yaml", _at("beta", BASE))
    assert main([base, revision, "--stability-threshold", "stable"]) == 1
    assert "operation-stability-decreased: x-stability-level stable became beta" in (
        capsys.readouterr().out
    )


def test_an_unknown_level_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.yaml", BASE)
    assert main([base, _write(tmp_path / "rev.yaml", _at("gamma", BASE))]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {tmp_path}/rev.yaml: #/paths/~1orders/post/x-stability-level: unknown stability "
        "level 'gamma': expected one of draft, alpha, beta, stable\n"
    )


def test_an_unknown_threshold_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["a.yaml", "b.yaml", "--stability-threshold", "gamma"])
    assert exited.value.code == 2
    assert "invalid choice: 'gamma'" in capsys.readouterr().err
