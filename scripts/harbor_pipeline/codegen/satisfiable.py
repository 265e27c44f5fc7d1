"""Schemas no value satisfies (`false`, `allOf: [false, ...]`, `not: {}`), pruned for the models.

A property whose schema is unsatisfiable can never be sent, so it is left out of its model; an
`anyOf`/`oneOf` branch likewise; `items` becomes `maxItems`, any other subschema `false`. What
remains unsatisfiable is a whole schema: a component (left out of the models: no model could
hold a value, and every use of it is pruned) or the schema of a body, a response or a
parameter, which no request or response could ever match: those are the spec's errors, named.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harbor_pipeline.bundle.model import SCHEMA_MAP, SCHEMA_ONE

from .problems import Level, Problem, pointer

SCHEMA_REF = "#/components/schemas/"


def prune_unsatisfiable(spec: dict[str, Any]) -> list[Problem]:
    """Rewrite `spec` in place as above; an error for each body, response or parameter whose
    schema no value satisfies."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    never = _unsatisfiable_components(schemas)
    for name in list(schemas):
        if name in never:
            del schemas[name]
        else:
            schemas[name] = _prune(schemas[name], never)
    problems: list[Problem] = []
    for where, holder in _schema_slots(spec, ()):
        schema = holder["schema"]
        if unsatisfiable(schema, never):
            problems.append(_refused(where))
        else:
            holder["schema"] = _prune(schema, never)
    return problems


def unsatisfiable(schema: Any, never: set[str]) -> bool:
    """Whether no value satisfies `schema`, given the components known to be unsatisfiable."""
    if schema is False:
        return True
    if not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF) and ref[len(SCHEMA_REF) :] in never:
        return True
    if schema.get("not") is True or schema.get("not") == {} or schema.get("enum") == []:
        return True
    if any(unsatisfiable(s, never) for s in _list(schema, "allOf")):
        return True
    for key in ("anyOf", "oneOf"):
        branches = _list(schema, key)
        if branches and all(unsatisfiable(s, never) for s in branches):
            return True
    properties = schema.get("properties")
    required = _list(schema, "required")
    return isinstance(properties, dict) and any(
        isinstance(name, str) and name in properties and unsatisfiable(properties[name], never)
        for name in required
    )


def _unsatisfiable_components(schemas: dict[str, Any]) -> set[str]:
    """Every component no value satisfies, through `$ref`s too (to a fixed point)."""
    never: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, schema in schemas.items():
            if name not in never and unsatisfiable(schema, never):
                never.add(name)
                changed = True
    return never


def _prune(schema: Any, never: set[str]) -> Any:
    """`schema` without the parts no value can take; it is itself satisfiable."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in SCHEMA_ONE:
        if key not in out or isinstance(out[key], list):
            continue
        if key == "items" and unsatisfiable(out[key], never):
            del out["items"]  # no item may follow the prefix: a bound says so to every tool
            out["maxItems"] = len(_list(out, "prefixItems"))
        elif unsatisfiable(out[key], never):
            out[key] = False
        else:
            out[key] = _prune(out[key], never)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in out and isinstance(out[key], list):
            out[key] = [_prune(s, never) for s in out[key] if not unsatisfiable(s, never)]
    for key in SCHEMA_MAP:
        if isinstance(out.get(key), dict):
            out[key] = {
                name: False if unsatisfiable(value, never) else _prune(value, never)
                for name, value in out[key].items()
            }
    if isinstance(out.get("properties"), dict):
        # A property no value satisfies can never be sent (a required one makes the schema
        # itself unsatisfiable, handled where it is used): left out of the model.
        out["properties"] = {k: v for k, v in out["properties"].items() if v is not False}
    return out


def _schema_slots(node: Any, path: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, holder) of each body, response and parameter schema (`holder["schema"]`)."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _schema_slots(item, (*path, str(index)))
        return
    if not isinstance(node, dict) or path[:2] == ("components", "schemas"):
        return
    # A header's schema is left alone: the generator reads any header as a string.
    if "schema" in node and path[-2:-1] != ("headers",):
        yield pointer(*path, "schema"), node
    for key, value in node.items():
        if key != "schema" and not str(key).startswith("x-") and key not in ("example", "examples"):
            yield from _schema_slots(value, (*path, str(key)))


def _refused(where: str) -> Problem:
    if "/parameters/" in where:
        what = "a parameter whose schema no value satisfies can never be sent"
    elif "/requestBody/" in where or "/requestBodies/" in where:
        what = "a request body whose schema no value satisfies can never be sent"
    else:
        what = "a response whose schema no value satisfies can never be returned"
    message = f"{what} (`false`, or `allOf` with `false`); remove it or give it a schema"
    return Problem(Level.ERROR, where, message, "schema-unsatisfiable")


def _list(schema: dict[str, Any], key: str) -> list[Any]:
    value = schema.get(key)
    return value if isinstance(value, list) else []
