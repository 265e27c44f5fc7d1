"""The client's Pydantic models: the server's choices, but lenient where a partner needs it.

Two differences from the server's models, both for forward compatibility: every model keeps
unknown fields (`extra="allow"`), so a server that adds a field does not break old clients, and
every enum is an open enum that keeps a value it does not know instead of failing validation.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple

from datamodel_code_generator import generate

from ..models import OPTIONS, repair

CLIENT_OPTIONS: dict[str, Any] = {**OPTIONS, "extra_fields": "allow", "strict_types": ()}
# Every enum class becomes an open enum (see _open_enum.py); ruff drops the unused imports.
_ENUM_CLASS = re.compile(r"^(class \w+\()(StrEnum|IntEnum|Enum)(\):)$", re.MULTILINE)
_OPEN_ENUMS = "from ._open_enum import OpenEnum, OpenIntEnum, OpenStrEnum\n"


class Field(NamedTuple):
    """One attribute of a generated model: its Python name and its type, qualified by `models.`."""

    attr: str
    annotation: str


@dataclass(frozen=True, slots=True)
class ModelsModule:
    source: str
    classes: frozenset[str]
    fields: dict[str, dict[str, Field]]  # class -> JSON property name -> field

    def field(self, model: str, prop: str) -> Field | None:
        return self.fields.get(model, {}).get(prop)


def client_models(spec: dict[str, Any]) -> ModelsModule:
    """The models module's source (without our header) and what it defines."""
    if not (spec.get("components") or {}).get("schemas"):
        # Nothing to model (every body untyped): the model generator refuses an empty input.
        source = "from __future__ import annotations\n"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generated = generate(spec, **CLIENT_OPTIONS)
        if not isinstance(generated, str):
            raise TypeError("datamodel-code-generator returned several modules; expected one")
        source = repair(generated)
    source = _with_docstring(source)
    tree = ast.parse(source)
    classes = frozenset(_defined(tree))
    fields = {
        node.name: _fields(node, classes) for node in tree.body if isinstance(node, ast.ClassDef)
    }
    return ModelsModule(source, classes, fields)


def _defined(tree: ast.Module) -> list[str]:
    """The classes and type aliases the module defines at its top level."""
    names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            names.append(node.targets[0].id)
    return names


def _with_docstring(source: str) -> str:
    lines = source.splitlines(keepends=True)
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    body = _ENUM_CLASS.sub(r"\1Open\2\3", "".join(lines)).replace(
        "from __future__ import annotations\n",
        "from __future__ import annotations\n" + _OPEN_ENUMS,
        1,
    )
    return (
        '"""Pydantic models of the spec\'s schemas, lenient for forward compatibility."""\n\n'
        + body
    )


def _fields(node: ast.ClassDef, classes: frozenset[str]) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        annotation, alias = _unwrap(statement.annotation)
        if alias is None and isinstance(statement.value, ast.Call):
            alias = _alias(statement.value)
        attr = statement.target.id
        found[alias or attr] = Field(attr, ast.unparse(_Qualify(classes).visit(annotation)))
    return found


def _unwrap(annotation: ast.expr) -> tuple[ast.expr, str | None]:
    """`Annotated[X, Field(alias='y')]` -> (X, 'y')."""
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        first, *rest = annotation.slice.elts
        alias = next((a for a in (_alias(r) for r in rest if isinstance(r, ast.Call)) if a), None)
        return first, alias
    return annotation, None


def _alias(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None


class _Qualify(ast.NodeTransformer):
    """Names the models module defines, as seen from another module: `Order` -> `models.Order`."""

    def __init__(self, classes: frozenset[str]) -> None:
        self.classes = classes

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.classes:
            return ast.Attribute(ast.Name("models", ast.Load()), node.id, ast.Load())
        return node


def list_item(annotation: str) -> str | None:
    """`list[models.Order]` (or `list[...] | None`) -> `models.Order`; None for anything else."""
    node = ast.parse(annotation, mode="eval").body
    if isinstance(node, ast.BinOp) and isinstance(node.right, ast.Constant):
        node = node.left  # `X | None`
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("list", "List", "Sequence")
    ):
        return ast.unparse(node.slice)
    return None
