"""The Pydantic models module, produced by datamodel-code-generator from the hoisted spec."""

from __future__ import annotations

import ast
import re
import warnings
from typing import Any

from datamodel_code_generator import InputFileType, NamingStrategy, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, StrictTypes

from .names import TAKEN_CLASS_NAMES
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
    source = repair(_json_integers(source))
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


_CLASS = re.compile(r"^class (\w+)", re.MULTILINE)


def repair(source: str) -> str:
    """What the model generator writes wrong for some real specs, put right (server and client)."""
    return _unshadow(_plain_imports(source))


def _plain_imports(source: str) -> str:
    """When a field is called `Field`, the model generator imports `Field as Field_aliased`
    and uses the alias, but still writes `Field(...)` in other classes, unimported: import the
    plain name too where it is used."""
    header, _, rest = source.partition("\nclass ")  # the imports come before any class
    if " as " not in header:
        return source  # the usual case, without parsing a module of thousands of classes
    aliased: dict[str, ast.ImportFrom] = {}
    plain: set[str] = set()
    for node in ast.parse(header).body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.asname is None or alias.asname == alias.name:
                    plain.add(alias.name)
                else:
                    aliased[alias.name] = node
    # Named in the classes: a mention in a docstring counts too, and ruff's F401 (format.py)
    # then drops the import again, so reading the text is as good as parsing every class.
    missing = sorted(
        name
        for name in aliased
        if name not in plain and re.search(rf"(?<![\w.]){re.escape(name)}\b", rest)
    )
    if not missing:
        return source
    lines = source.splitlines(keepends=True)
    for name in reversed(missing):
        node = aliased[name]
        at = node.end_lineno or node.lineno
        lines.insert(at, f"from {node.module} import {name}\n")
    return "".join(lines)


def _unshadow(source: str) -> str:
    """Classes the model generator named after a builtin or an import (`ResourceWarning`, from
    `Resource.warnings`) become `...Model`: a use before the class statement would otherwise
    resolve to the builtin. Components were renamed by hoist already; this catches the classes
    it derives from inline schemas. Renames the class and every name that loads it, by
    position, so strings, descriptions and field names stay as they are."""
    if not TAKEN_CLASS_NAMES.intersection(_CLASS.findall(source)):
        return source  # the usual case, without parsing a module of thousands of classes
    tree = ast.parse(source)
    defined = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    clashes = defined & TAKEN_CLASS_NAMES
    if not clashes:
        return source
    renames: dict[str, str] = {}
    for name in sorted(clashes):
        new, n = f"{name}Model", 2
        while new in defined or new in renames.values():
            new, n = f"{name}Model{n}", n + 1
        renames[name] = new
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # line, start column, end column, new name
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in renames:
            assert node.end_col_offset is not None
            edits.append((node.lineno, node.col_offset, node.end_col_offset, renames[node.id]))
        elif isinstance(node, ast.ClassDef) and node.name in renames:
            start = lines[node.lineno - 1].index(node.name, len("class"))
            edits.append((node.lineno, start, start + len(node.name), renames[node.name]))
    # Columns are UTF-8 byte offsets; from the end of each line backwards, so each stays valid.
    for lineno, start, end, new in sorted(edits, reverse=True):
        raw = lines[lineno - 1].encode()
        lines[lineno - 1] = (raw[:start] + new.encode() + raw[end:]).decode()
    return "".join(lines)


_STRICT_INT = re.compile(r"\bStrictInt\b")


def _json_integers(source: str) -> str:
    """StrictInt -> the runtime's JsonInt, imported from there instead of from pydantic."""
    if not _STRICT_INT.search(source):
        return source
    lines = source.splitlines(keepends=True)
    # The imports come before any class: parsing them alone finds the line to edit.
    for node in ast.parse(source.partition("\nclass ")[0]).body:
        if isinstance(node, ast.ImportFrom) and node.module == "pydantic":
            # Keep `Field as Field_aliased`: the generator aliases an import a field shadows.
            names = [
                alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
                for alias in node.names
                if alias.name != "StrictInt"
            ]
            start, end = node.lineno - 1, node.end_lineno or node.lineno
            imports = "from ._runtime import JsonInt\n"
            if names:
                imports = f"from pydantic import {', '.join(names)}\n" + imports
            lines[start:end] = [imports]
            break
    return _STRICT_INT.sub("JsonInt", "".join(lines))
