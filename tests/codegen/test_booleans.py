"""Boolean schemas (3.1): accepted by every generator, what no value satisfies left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.test_cli import ROOT, codegen

SPEC = ROOT / "tests/codegen/golden/booleans/spec.yaml"


@pytest.mark.parametrize("lang", ["python", "typescript"])
def test_the_clients_of_a_spec_with_boolean_schemas_generate(lang: str, tmp_path: Path) -> None:
    result = codegen("client", str(SPEC), str(tmp_path / "out"), "--lang", lang)
    assert result.returncode == 0, result.stderr


def test_a_property_no_value_satisfies_is_not_in_the_model(golden_package) -> None:
    thing = golden_package("booleans").models.Thing

    assert set(thing.model_fields) == {"name", "anything", "size", "empty"}
