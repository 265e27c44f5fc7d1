"""The Pydantic models module, produced by datamodel-code-generator from the hoisted spec."""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from datamodel_code_generator import InputFileType, NamingStrategy, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, StrictTypes

from .problems import Level, Problem

# Chosen on purpose (see DESIGN.md): no timestamp (deterministic output), Annotated constraints
# that FastAPI and mypy both read, `X | None`, aware datetimes for `date-time`, classes named by
# their parent instead of Item1/Item2, and the spec's order kept so diffs follow the spec.
# Strict numbers and booleans: lax pydantic reads `true` or `"1234"` as an integer, so a body
# the spec refuses (`"amount_cents": true`) would create a 1-cent order. StrictInt then becomes
# the runtime's JsonInt, which also takes `100.0`: JSON Schema counts it as an integer.
OPTIONS: dict[str, Any] = {
    "input_file_type": InputFileType.OpenAPI,
    "output_model_type": DataModelType.PydanticV2BaseModel,
    "target_python_version": PythonVersion.PY_311,
    "disable_timestamp": True,
    "use_annotated": True,
    "field_constraints": True,
    "use_union_operator": True,
    "use_standard_collections": True,
    "use_schema_description": True,
    "use_field_description": True,
    "keep_model_order": True,
    "output_datetime_class": "AwareDatetime",
    "use_double_quotes": True,
    "strict_nullable": True,
    "capitalise_enum_members": True,
    "naming_strategy": NamingStrategy.ParentPrefixed,
    "collapse_root_models": True,
    "formatters": [],
    "custom_file_header": "",
    "strict_types": (StrictTypes.int, StrictTypes.float, StrictTypes.bool),
    # `format: ulid` would import python-ulid, which the generated code does not depend on.
    "type_mappings": ["string+ulid=string"],
}


def generate_models(spec: dict[str, Any], expected: set[str]) -> tuple[str, list[Problem]]:
    """The models module's source, and a problem for each class the routers use that it lacks."""
    if not (spec.get("components") or {}).get("schemas"):
        return "", [
            Problem(
                Level.ERROR, "/components/schemas", f"no schema defines {name!r}", "model-missing"
            )
            for name in sorted(expected)
        ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = generate(spec, **OPTIONS)
    if not isinstance(source, str):
        raise TypeError("datamodel-code-generator returned several modules; expected one")
    source = _json_integers(source)
    defined = {
        node.targets[0].id
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        else getattr(node, "name", "")
        for node in ast.parse(source).body
    }
    problems = [
        Problem(
            Level.ERROR,
            f"/components/schemas/{name}",
            f"the model generator did not define {name!r}",
            "model-missing",
        )
        for name in sorted(expected)
        if name not in defined
    ]
    return source, problems


_STRICT_INT = re.compile(r"\bStrictInt\b")


def _json_integers(source: str) -> str:
    """StrictInt -> the runtime's JsonInt, imported from there instead of from pydantic."""
    if not _STRICT_INT.search(source):
        return source
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and node.module == "pydantic":
            names = [alias.name for alias in node.names if alias.name != "StrictInt"]
            start, end = node.lineno - 1, node.end_lineno or node.lineno
            imports = "from ._runtime import JsonInt\n"
            if names:
                imports = f"from pydantic import {', '.join(names)}\n" + imports
            lines[start:end] = [imports]
            break
    return _STRICT_INT.sub("JsonInt", "".join(lines))
