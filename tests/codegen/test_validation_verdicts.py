"""`make generate` validates the spec once, not once per output: a clean verdict is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest

from harbor_pipeline.codegen import load as loading
from harbor_pipeline.codegen.problems import SpecError

SPEC = Path(__file__).parents[2] / "spec" / "openapi.yaml"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    validate = loading.validation_problems

    def counted(document: loading.Document):  # type: ignore[no-untyped-def]
        calls.append(1)
        return validate(document)

    monkeypatch.setattr(loading, "validation_problems", counted)
    return calls


def test_a_clean_spec_is_validated_once_per_cache(tmp_path: Path, monkeypatch) -> None:
    calls = _counting(monkeypatch)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    for _ in range(3):
        loading.load(spec, verdicts=tmp_path / "verdicts")
    assert len(calls) == 1
    loading.load(spec)  # no cache: validated as before
    assert len(calls) == 2


def test_an_edit_is_validated_again_and_its_error_still_raised(tmp_path: Path, monkeypatch) -> None:
    calls = _counting(monkeypatch)
    spec = tmp_path / "openapi.yaml"
    text = SPEC.read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    loading.load(spec, verdicts=tmp_path / "verdicts")
    spec.write_text(
        text.replace(
            "          description: The order was created.", "          description: 5", 1
        ),
        encoding="utf-8",
    )
    for _ in range(2):  # an error is never remembered as a verdict
        with pytest.raises(SpecError) as error:
            loading.load(spec, verdicts=tmp_path / "verdicts")
        assert "responses/201/description" in error.value.problems[0].pointer
    assert len(calls) == 3


def test_a_spec_with_warnings_is_not_cached(tmp_path: Path, monkeypatch) -> None:
    warning = loading.Problem(loading.Level.WARNING, "", "a warning", "test-rule")
    monkeypatch.setattr(loading, "validation_problems", lambda document: iter([warning]))
    for _ in range(2):
        document = loading.load(SPEC, verdicts=tmp_path / "verdicts")
        assert document.warnings == (warning,)
    assert not (tmp_path / "verdicts").exists()
