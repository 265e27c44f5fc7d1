"""Python annotations and FastAPI constraints for the schemas of parameters and headers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .ir import Constraint

JSONObject = Mapping[str, Any]
Resolver = Callable[[str], JSONObject]
MODEL_REF = "#/components/schemas/"

_FORMATS = {
    "uuid": "UUID",
    "date-time": "datetime",
    "date": "date",
    "time": "time",
    "binary": "bytes",
    "byte": "str",
}
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def schema_types(schema: JSONObject) -> tuple[list[str], bool]:
    """The schema's non-null types and whether null is allowed, for 3.0 and 3.1 alike."""
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    nullable = "null" in types or schema.get("nullable") is True
    return [t for t in types if t != "null"], nullable


def annotation(schema: JSONObject, resolve: Resolver, model_names: Mapping[str, str]) -> str:
    """The Python type of a parameter or header value (without `| None` for optionality)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = resolve(ref)
        if ref.startswith(MODEL_REF) and "enum" in target and ref[len(MODEL_REF) :] in model_names:
            return f"models.{model_names[ref[len(MODEL_REF) :]]}"
        return annotation(target, resolve, model_names)
    for combinator in ("allOf", "oneOf", "anyOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list) and len(branches) == 1 and isinstance(branches[0], dict):
            return annotation(branches[0], resolve, model_names)
    types, nullable = schema_types(schema)
    result = _base(schema, types, resolve, model_names)
    return f"{result} | None" if nullable and result != "None" else result


def _base(schema: JSONObject, types: list[str], resolve: Resolver, names: Mapping[str, str]) -> str:
    if "const" in schema and _is_literal(schema["const"]):
        return f"Literal[{schema['const']!r}]"
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(_is_literal(v) for v in enum if v is not None):
        values = [v for v in enum if v is not None]
        if values:
            return "Literal[" + ", ".join(repr(v) for v in values) + "]"
    if len(types) > 1:
        return " | ".join(_PRIMITIVES.get(t, "str") for t in types)
    kind = types[0] if types else ("array" if "items" in schema else "string")
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, dict):
            return "list[str]"
        inner = annotation(items, resolve, names)
        checks = constraints(items, resolve)
        if checks:
            inner = f"Annotated[{inner}, Field({', '.join(f'{c.keyword}={c.literal}' for c in checks)})]"
        return f"list[{inner}]"
    if kind == "string":
        return _FORMATS.get(str(schema.get("format", "")), "str")
    # Objects as parameters have no portable wire form (style/explode vary); take the raw text.
    return _PRIMITIVES.get(kind, "str")


def _is_literal(value: object) -> bool:
    return isinstance(value, str | int | bool) and not (isinstance(value, str) and "\x00" in value)


def constraints(schema: JSONObject, resolve: Resolver) -> tuple[Constraint, ...]:
    """FastAPI `Query`/`Path`/`Header` keyword arguments for every constraint the schema declares."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = resolve(ref)
        return () if "enum" in target else constraints(target, resolve)
    for combinator in ("allOf", "oneOf", "anyOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list) and len(branches) == 1 and isinstance(branches[0], dict):
            return constraints(branches[0], resolve)
    types, _ = schema_types(schema)
    found: list[Constraint] = []
    if schema.get("format") in ("uuid", "date-time", "date", "time"):
        return ()  # the type already constrains the text; length or pattern would be re-checked on a str
    if "enum" in schema or "const" in schema:
        return ()
    numeric = bool(types) and types[0] in ("integer", "number")
    for keyword, argument in (("minimum", "ge"), ("maximum", "le")):
        value = schema.get(keyword)
        if numeric and isinstance(value, int | float) and not isinstance(value, bool):
            exclusive = schema.get("exclusive" + keyword.capitalize())
            found.append(
                Constraint("gt" if argument == "ge" else "lt", repr(value))
                if exclusive is True
                else Constraint(argument, repr(value))
            )
    for keyword, argument in (("exclusiveMinimum", "gt"), ("exclusiveMaximum", "lt")):
        value = schema.get(keyword)
        if numeric and isinstance(value, int | float) and not isinstance(value, bool):
            found.append(Constraint(argument, repr(value)))
    if numeric and isinstance(schema.get("multipleOf"), int | float):
        found.append(Constraint("multiple_of", repr(schema["multipleOf"])))
    length_keys = (
        ("minItems", "maxItems") if types and types[0] == "array" else ("minLength", "maxLength")
    )
    if types and types[0] in ("string", "array"):
        for keyword, argument in zip(length_keys, ("min_length", "max_length"), strict=True):
            value = schema.get(keyword)
            if isinstance(value, int) and not isinstance(value, bool):
                found.append(Constraint(argument, repr(value)))
    if types and types[0] == "string" and isinstance(schema.get("pattern"), str):
        found.append(Constraint("pattern", _raw(schema["pattern"])))
    return tuple(found)


def default_literal(schema: JSONObject, resolve: Resolver) -> str | None:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return default_literal(resolve(ref), resolve)
    value = schema.get("default")
    if (isinstance(value, str | int | float | bool) and not isinstance(value, str)) or isinstance(
        value, str
    ):
        return repr(value)
    return None


def _raw(pattern: str) -> str:
    """A pattern as a Python literal, raw when that keeps it readable and exact."""
    if "'" not in pattern and not pattern.endswith("\\") and "\n" not in pattern:
        return f"r'{pattern}'"
    return repr(pattern)
