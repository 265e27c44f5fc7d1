"""A JSON body's fields as keyword arguments (`orders.create(customer_id=..., ...)`).

The types are read from the generated models' source, so they are the models' own (no second
schema-to-Python mapping to drift from it). Constraints stay in the model, which validates
the keywords when the call builds it; a nested model may be given as itself or as a dict.
"""

from __future__ import annotations

import ast
from functools import cache

from . import ir

# Names a builder already takes; a body with a field of one of these names gets no keywords.
TAKEN = frozenset({"body", "options", "extra_headers", "extra_query", "extra_body", "self"})
# Names the operations module has (its imports, builtins), and the models' imports it maps to
# one of them; a field whose type names anything else gives its body no keywords.
KNOWN = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "None", "Literal", "JsonValue"}
    | {"date", "datetime", "time", "UUID"}
)
RENAMED = {"AwareDatetime": "datetime", "NaiveDatetime": "datetime", "Any": "JsonValue"}
# What a nested model or an open enum may also be given as.
WIDER = {"model": "dict[str, JsonValue]", "enum": "str"}


def body_fields(
    models_source: str, annotation: str, taken: frozenset[str]
) -> tuple[ir.BodyField, ...] | None:
    """The fields of the body model `models.X`, or None when keywords cannot stand for it."""
    if not annotation.startswith("models."):
        return None
    classes = _classes(models_source)
    found = classes.get(annotation.removeprefix("models."))
    if not found:  # a root model, a union, or no fields: only the model itself will do
        return None
    if any(f.name in taken | TAKEN for f in found):
        return None
    return found


@cache
def _classes(source: str) -> dict[str, tuple[ir.BodyField, ...]]:
    tree = ast.parse(source)
    names = _kinds(tree)
    classes: dict[str, tuple[ir.BodyField, ...]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(isinstance(b, ast.Name) and b.id == "BaseModel" for b in node.bases):
            continue
        fields: list[ir.BodyField] = []
        for index, item in enumerate(node.body):
            if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
                continue
            if item.target.id == "model_config":
                continue
            if _aliased(item):
                # The keyword would be the Python name but validation wants the alias: skip
                # the whole class rather than send a field under the wrong name.
                fields = []
                break
            annotation = _annotation(item.annotation, names)
            if annotation is None:
                fields = []
                break
            required = item.value is None or _required(item.value)
            doc = _docstring(node.body[index + 1 : index + 2])
            fields.append(ir.BodyField(item.target.id, annotation, required, doc))
        if fields:
            classes[node.name] = tuple(fields)
    return classes


def _docstring(following: list[ast.stmt]) -> str:
    """The attribute docstring the models generator writes after a field, if any."""
    if following and isinstance(following[0], ast.Expr):
        value = following[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return " ".join(value.value.split())
    return ""


def _aliased(item: ast.AnnAssign) -> bool:
    calls = [n for n in ast.walk(item) if isinstance(n, ast.Call)]
    return any(k.arg in ("alias", "validation_alias") for c in calls for k in c.keywords)


def _required(value: ast.expr) -> bool:
    # `Field(...)` with an Ellipsis default is required; any other value is a default.
    return isinstance(value, ast.Constant) and value.value is Ellipsis


def _annotation(node: ast.expr, names: dict[str, str]) -> str | None:
    """The annotation with `Annotated` unwrapped and model names qualified and widened.

    A nested model may be given as a dict and an open enum as its string: the body model
    validates either way.
    """

    unknown: list[str] = []

    class Qualify(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.AST:
            kind = names.get(name.id)
            if kind is None:
                if name.id in RENAMED:
                    return ast.copy_location(ast.Name(RENAMED[name.id], ast.Load()), name)
                if name.id not in KNOWN:
                    unknown.append(name.id)
                return name
            qualified: ast.expr = ast.Attribute(ast.Name("models", ast.Load()), name.id, ast.Load())
            if kind in WIDER:
                also = ast.parse(WIDER[kind], mode="eval").body
                qualified = ast.BinOp(qualified, ast.BitOr(), also)
            return ast.copy_location(qualified, name)

        def visit_Subscript(self, sub: ast.Subscript) -> ast.AST:
            if _is_annotated(sub):
                inner: ast.AST = self.visit(_unwrap(sub))
                return inner
            return self.generic_visit(sub)

    # A union's own members widened once, at its end (before None), so that `A | B | None`
    # reads `models.A | models.B | dict[str, JsonValue] | None`, not a nest of parentheses.
    parts: list[str] = []
    wider: list[str] = []
    for member in _members(_unwrap(node)):
        kind = names.get(member.id) if isinstance(member, ast.Name) else None
        if isinstance(member, ast.Name) and kind in WIDER:
            parts.append(f"models.{member.id}")
            wider += [] if WIDER[kind] in wider else [WIDER[kind]]
        else:
            parts.append(ast.unparse(Qualify().visit(member)))
    tail = ["None"] if "None" in parts else []
    text = " | ".join([*(p for p in parts if p != "None"), *wider, *tail])
    return None if unknown else text


def _members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_members(node.left), *_members(node.right)]
    return [_unwrap(node)]


def _kinds(tree: ast.Module) -> dict[str, str]:
    """Every module-level name of the models source: `model`, `enum` or `alias`."""
    kinds: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = ast.unparse(node.bases[0]) if node.bases else ""
            kinds[node.name] = "enum" if "Enum" in bases else "model"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    kinds[target.id] = "alias"
    return kinds


def _is_annotated(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Annotated"
    )


def _unwrap(node: ast.expr) -> ast.expr:
    while _is_annotated(node):
        assert isinstance(node, ast.Subscript)
        inner = node.slice
        node = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
    return node
