"""Example calls for the clients' READMEs, built from the spec's own examples where it has them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import ir

JSONObject = dict[str, Any]
Deref = Callable[[Any], JSONObject]
_MISSING = object()


def snippets(
    ops: tuple[ir.Operation, ...], spec: JSONObject, deref: Deref
) -> tuple[ir.Snippet, ...]:
    """A call of the first operation with a JSON body, then of the first paginated one."""
    chosen = [
        next((op for op in ops if op.body and op.body.is_json and op.body.required), None),
        next((op for op in ops if op.pagination), None),
    ]
    return tuple(_snippet(op, spec, deref) for op in chosen if op is not None)


def _snippet(op: ir.Operation, spec: JSONObject, deref: Deref) -> ir.Snippet:
    raw = deref(deref(spec["paths"][op.path])[op.method.lower()])
    params = {
        (p.get("in"), p.get("name")): p
        for source in (deref(spec["paths"][op.path]).get("parameters"), raw.get("parameters"))
        for p in (deref(entry) for entry in source or [])
    }
    py_args: list[str] = []
    ts_args: list[str] = []
    setup = ""
    for argument in op.positional:
        value = _example(params.get((argument.location, argument.name)) or {}, deref)
        py_args.append(_py_value(value, argument.annotation))
        ts_args.append(f"{argument.ts_name}: {_ts_value(value)}")
    if op.body:
        body = _body_example(raw, op.body.media_type, deref)
        model = op.body.annotation
        literal = "..." if body is _MISSING else _py_literal(body)
        setup = (
            f"body = {model}(...)"
            if body is _MISSING
            else f"body = {model}.model_validate({literal})"
        )
        py_args.append("body")
        ts_args.append(f"body: {_ts_value(body)}")
    ts = "{ " + ", ".join(ts_args) + " }" if ts_args else ""
    return ir.Snippet(op, setup, ", ".join(py_args), ts)


def _example(node: JSONObject, deref: Deref) -> object:
    for holder in (node, deref(node.get("schema"))):
        if "example" in holder:
            return holder["example"]
        examples = holder.get("examples")
        if isinstance(examples, dict) and examples:
            return deref(next(iter(examples.values()))).get("value", _MISSING)
        if isinstance(examples, list) and examples:
            return examples[0]
    return _MISSING


def _body_example(raw: JSONObject, media: str, deref: Deref) -> object:
    content = (deref(raw.get("requestBody")).get("content") or {}).get(media)
    return _example(content, deref) if isinstance(content, dict) else _MISSING


def _py_value(value: object, annotation: str) -> str:
    if value is _MISSING:
        return "..."
    return f"UUID({str(value)!r})" if annotation == "UUID" else repr(value)


def _py_literal(value: object, depth: int = 0) -> str:
    """A JSON value as Python source, one entry a line like a formatter would write it."""
    pad, inner = "    " * depth, "    " * (depth + 1)
    if isinstance(value, dict) and value:
        entries = (
            f"{inner}{json.dumps(k)}: {_py_literal(v, depth + 1)}," for k, v in value.items()
        )
        return "{\n" + "\n".join(entries) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        entries = (f"{inner}{_py_literal(v, depth + 1)}," for v in value)
        return "[\n" + "\n".join(entries) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _ts_value(value: object) -> str:
    if value is _MISSING:
        return "/* ... */ undefined as never"
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
