"""A body schema that is a `$ref` beside other keywords, to a model that refers to itself
(corrently.io writes `{$ref: componentsh0, type: object}`): the model generator took it for the
reference alone and defined no class, so `generate` refused a valid spec with model-missing.
On the previous generator test_golden fails on this case (exit 2, model-missing)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import ValidationError

from tests.codegen.test_cli import ROOT, codegen

SPEC = ROOT / "tests/codegen/golden/recursive/spec.yaml"


def test_the_body_is_the_model_with_the_keywords_applied(
    golden_package: Callable[[str], ModuleType],
) -> None:
    models = golden_package("recursive").models
    pruned = models.GetPrunedTree200Response
    leaf = {"name": "b", "children": []}
    tree = pruned.model_validate({"name": "a", "children": [leaf], "parent": leaf})
    assert isinstance(tree, models.Node) and tree.parent.name == "b"
    with pytest.raises(ValidationError, match="parent"):
        pruned.model_validate({"name": "a", "children": []})  # `required: [parent]` holds


@pytest.mark.parametrize("lang", ["python", "typescript"])
def test_the_clients_generate(lang: str, tmp_path: Path) -> None:
    result = codegen("client", str(SPEC), str(tmp_path / "out"), "--lang", lang)
    assert result.returncode == 0, result.stderr
