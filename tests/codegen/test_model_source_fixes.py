"""The fixes applied to the model generator's output, on sources it wrote for real specs."""

from __future__ import annotations

import sys
import types
import uuid
from typing import Any

from harbor_pipeline.codegen.models import _json_integers, _plain_imports, _unshadow

# What datamodel-code-generator wrote for AWS Lake Formation (abridged): a property called
# `Field` makes it import pydantic's Field under an alias, yet a root model still uses `Field`.
LAKEFORMATION = """from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field as Field_aliased, RootModel, StrictInt


class CatalogIdString(RootModel[str]):
    root: Annotated[str, Field(max_length=255, min_length=1)]


class ColumnWildcard(BaseModel):
    Field: Annotated[str | None, Field_aliased(max_length=10)] = None
    Size: StrictInt | None = None
"""


def _namespace(source: str) -> dict[str, Any]:
    """The source run as a module (pydantic resolves forward references in its module)."""
    module = types.ModuleType(f"models_under_test_{uuid.uuid4().hex}")
    sys.modules[module.__name__] = module
    exec(compile(source, "models.py", "exec"), module.__dict__)
    return module.__dict__


def test_an_aliased_import_keeps_its_alias_and_the_plain_name_is_imported_too():
    fixed = _plain_imports(_json_integers(LAKEFORMATION))

    assert "from pydantic import BaseModel, Field as Field_aliased, RootModel\n" in fixed
    assert "from pydantic import Field\n" in fixed
    models = _namespace(fixed.replace("from ._runtime import JsonInt\n", "JsonInt = int\n"))
    catalog = models["CatalogIdString"]
    assert catalog.model_validate("a" * 255).root == "a" * 255


def test_a_source_without_aliases_is_left_alone():
    source = (
        "from pydantic import BaseModel, Field\n\n\nclass A(BaseModel):\n    x: int = Field(1)\n"
    )

    assert _plain_imports(source) == source
    assert _unshadow(source) == source


def test_a_class_named_after_a_builtin_is_renamed_where_it_is_loaded_only():
    source = (
        "from __future__ import annotations\n\nfrom pydantic import BaseModel\n\n\n"
        "class Page(BaseModel):\n"
        '    """Lists each ResourceWarning."""\n\n'
        "    ResourceWarning: list[ResourceWarning] | None = None\n\n\n"
        "class ResourceWarning(BaseModel):\n"
        "    code: str | None = None\n"
    )

    fixed = _unshadow(source)

    assert "class ResourceWarningModel(BaseModel):" in fixed
    assert "    ResourceWarning: list[ResourceWarningModel] | None = None" in fixed
    assert '"""Lists each ResourceWarning."""' in fixed
    page = _namespace(fixed)["Page"]
    parsed = page.model_validate({"ResourceWarning": [{"code": "x"}]})
    assert type(parsed.ResourceWarning[0]).__name__ == "ResourceWarningModel"
