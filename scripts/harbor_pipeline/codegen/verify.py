"""`verify`: mount the generated routers on an app and check its operations agree with the spec."""

from __future__ import annotations

import importlib
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI, HTTPException

from .hoist import METHODS, is_json, pattern_supported
from .load import Document, JSONObject, load, resolve
from .pipeline import build_server
from .pytypes import schema_types

# Strings the app parses into values; their format does the checking.
_PARSED_FORMATS = frozenset({"uuid", "date-time", "date", "time"})


def verify_spec(
    spec_path: Path, package: Path | None = None, document: Document | None = None
) -> int:
    """Exit status: 0 when the app built from the spec (or from `package`) agrees with it, 1 when not."""
    document = document or load(spec_path)
    warnings = list(document.warnings)
    with tempfile.TemporaryDirectory(prefix="harbor-verify-") as tmp:
        name = f"harbor_verify_{uuid.uuid4().hex[:12]}"
        if package is None:
            package = Path(tmp) / name
            warnings.extend(build_server(document, package, source=spec_path.as_posix()))
        for warning in warnings:
            print(warning.render(str(spec_path)), file=sys.stderr)
        module = import_package(package, name)
        app = placeholder_app(module)
        differences = list(compare(document.data, app.openapi()))
    for line in differences:
        print(line, file=sys.stderr)
    operations = sum(1 for _ in spec_operations(document.data))
    if differences:
        print(
            f"{spec_path}: {len(differences)} difference(s) between the spec and the generated app",
            file=sys.stderr,
        )
        return 1
    print(f"{spec_path}: the generated app agrees with the spec ({operations} operations)")
    return 0


def import_package(directory: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the generated package at {directory}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _Hooks:
    """Security hooks that accept anything: verify checks shapes, not credentials."""

    def __getattr__(self, name: str) -> Any:
        async def accept(*args: object, **kwargs: object) -> str:
            return "verify"

        return accept


def placeholder_app(package: ModuleType) -> FastAPI:
    """Every generated router mounted with an implementation whose every method answers 501."""
    app = FastAPI(title="verify", openapi_url="/openapi.json")
    routers: tuple[tuple[str, Any], ...] = package.ROUTERS
    for protocol_name, factory in routers:
        protocol = getattr(package, protocol_name)
        methods = {
            name: _not_implemented(name)
            for name in vars(protocol)
            if not name.startswith("_") and callable(vars(protocol)[name])
        }
        impl = type(f"Placeholder{protocol_name}", (), methods)()
        app.include_router(factory(impl, security=_Hooks()))
    return app


def _not_implemented(name: str) -> Any:
    async def method(self: object, **kwargs: object) -> None:
        raise HTTPException(501, f"{name} is a placeholder")

    return method


def spec_operations(spec: JSONObject) -> Iterator[tuple[str, str, JSONObject, JSONObject]]:
    for path, item in (spec.get("paths") or {}).items():
        for method in METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                yield path, method, item[method], item


def compare(spec: JSONObject, app: JSONObject) -> Iterator[str]:
    """One line per disagreement between the spec and the app's own OpenAPI description."""
    app_ops = {(path, method): op for path, method, op, _ in spec_operations(app)}
    spec_ops = {(path, method): (op, item) for path, method, op, item in spec_operations(spec)}
    for key in sorted(app_ops.keys() - spec_ops.keys()):
        yield f"{key[1].upper()} {key[0]}: served by the app but not in the spec"
    for key in sorted(spec_ops.keys() - app_ops.keys()):
        yield f"{key[1].upper()} {key[0]}: in the spec but not served by the app"
    for key in sorted(spec_ops.keys() & app_ops.keys()):
        where = f"{key[1].upper()} {key[0]}"
        op, item = spec_ops[key]
        yield from (
            f"{where}: {line}" for line in _compare_operation(spec, op, item, app, app_ops[key])
        )


def _deref(root: JSONObject, node: Any) -> JSONObject:
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        node = resolve(root, node["$ref"])
    return node if isinstance(node, dict) else {}


def _compare_operation(
    spec: JSONObject, op: JSONObject, item: JSONObject, app: JSONObject, app_op: JSONObject
) -> Iterator[str]:
    if op.get("operationId") and op.get("operationId") != app_op.get("operationId"):
        yield f"operationId {op.get('operationId')!r} in the spec, {app_op.get('operationId')!r} in the app"
    wanted: dict[tuple[str, str], JSONObject] = {}
    for entry in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
        param = _deref(spec, entry)
        if param.get("name") != "":  # left out by the generator, with a warning
            wanted[(param.get("in", ""), param.get("name", ""))] = param
    got = {
        (p.get("in", ""), p.get("name", "")): p
        for p in (_deref(app, p) for p in app_op.get("parameters") or [])
    }
    for location, name in sorted(got.keys() - wanted.keys()):
        yield f"parameter {name!r} ({location}) is in the app but not in the spec"
    for location, name in sorted(wanted.keys() - got.keys()):
        yield f"parameter {name!r} ({location}) is in the spec but not in the app"
    for key in sorted(wanted.keys() & got.keys()):
        yield from (
            f"parameter {key[1]!r} ({key[0]}): {line}"
            for line in _compare_parameter(spec, wanted[key], app, got[key])
        )
    yield from _compare_body(spec, op, app, app_op)
    yield from _compare_responses(spec, op, app_op)
    yield from _compare_security(spec, op, app_op)


def _compare_parameter(
    spec: JSONObject, want: JSONObject, app: JSONObject, got: JSONObject
) -> Iterator[str]:
    required_want = want.get("in") == "path" or want.get("required") is True
    if required_want != (got.get("required") is True):
        yield f"required is {required_want} in the spec, {got.get('required') is True} in the app"
    want_schema = _exclusive_bounds_as_numbers(_flatten(spec, want.get("schema") or {}))
    got_schema = _flatten(app, got.get("schema") or {})
    if _kind(want_schema) in ("array", "object") and _kind(got_schema) == "string":
        return  # what FastAPI cannot bind reaches the handler as text, with a warning (parse.py)
    for keyword in _applicable(want_schema):
        a, b = want_schema.get(keyword), got_schema.get(keyword)
        if keyword == "enum" and isinstance(a, list) and isinstance(b, list):
            a, b = sorted(map(repr, a)), sorted(map(repr, b))  # the order of an enum means nothing
        if keyword == "pattern" and isinstance(a, str) and b is None and not pattern_supported(a):
            continue  # dropped, with a warning, when generated: the engine cannot compile it
        if a != b:
            yield f"{keyword} is {a!r} in the spec, {b!r} in the app"


def _applicable(schema: JSONObject) -> tuple[str, ...]:
    """The constraint keywords that can reject a value of the schema's type.

    A string with a format the app parses into a value (uuid, date-time, ...) is checked by that
    parse; length and pattern keywords beside such a format are not carried into the app.
    """
    kind = _kind(schema)
    common = ("enum", "const")
    if "enum" in schema or "const" in schema:
        return common  # the listed values decide; lengths or patterns beside them add nothing
    if kind in ("integer", "number"):
        return (*common, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
    if kind == "array":
        return (*common, "minItems", "maxItems")
    if kind == "string" and schema.get("format") in _PARSED_FORMATS:
        return common
    if kind == "string" or kind is None:
        return (*common, "minLength", "maxLength", "pattern")
    return common


def _kind(schema: JSONObject) -> str | None:
    """The schema's `type` other than null, if it names one."""
    return next(iter(schema_types(schema)[0]), None)


def _exclusive_bounds_as_numbers(schema: JSONObject) -> JSONObject:
    """OpenAPI 3.0's `minimum: 1, exclusiveMinimum: true` is 3.1's `exclusiveMinimum: 1`."""
    schema = dict(schema)
    for bound in ("Minimum", "Maximum"):
        flag = schema.get(f"exclusive{bound}")
        if isinstance(flag, bool):
            del schema[f"exclusive{bound}"]
            if flag:
                schema[f"exclusive{bound}"] = schema.pop(bound.lower(), None)
    return schema


def _flatten(root: JSONObject, schema: Any) -> JSONObject:
    """The effective schema of a parameter: references followed, a lone or nullable branch unwrapped."""
    schema = _deref(root, schema)
    for combinator in ("anyOf", "oneOf", "allOf"):
        branches = [
            b for b in (schema.get(combinator) or []) if _deref(root, b).get("type") != "null"
        ]
        if len(branches) == 1:
            merged = {k: v for k, v in schema.items() if k != combinator}
            return {**_flatten(root, branches[0]), **merged}
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None]
        if len(values) == 1:  # a one-value enum is a const (FastAPI writes Literal['x'] so)
            return {**{k: v for k, v in schema.items() if k != "enum"}, "const": values[0]}
        return {**schema, "enum": values}
    return dict(schema)


def _compare_body(
    spec: JSONObject, op: JSONObject, app: JSONObject, app_op: JSONObject
) -> Iterator[str]:
    body = _deref(spec, op.get("requestBody"))
    app_body = _deref(app, app_op.get("requestBody"))
    json_media = [m for m in body.get("content") or {} if is_json(m)]
    if not json_media:
        return  # non-JSON bodies are read raw; FastAPI documents no schema for them
    if not app_body:
        yield "the spec has a JSON request body, the app reads none"
        return
    if (body.get("required") is True) != (app_body.get("required") is True):
        yield f"request body required is {body.get('required') is True} in the spec, {app_body.get('required') is True} in the app"


def _compare_responses(spec: JSONObject, op: JSONObject, app_op: JSONObject) -> Iterator[str]:
    want = {str(s) for s in op.get("responses") or {}}
    got = {str(s) for s in app_op.get("responses") or {}}
    if "422" in got - want:
        got.discard("422")  # FastAPI documents its own validation response; the service replaces it
    if not any(status[:1] in "123" for status in want):
        # With only `default` (or no) success documented, FastAPI still lists the route's own
        # status as "Successful Response"; the spec leaves that status open, so it is no drift.
        automatic = app_op.get("responses") or {}
        got = {
            s
            for s in got
            if s in want or (automatic.get(s) or {}).get("description") != "Successful Response"
        }
    for status in sorted(want - got):
        yield f"response {status} is in the spec but not in the app"
    for status in sorted(got - want):
        yield f"response {status} is in the app but not in the spec"


def _compare_security(spec: JSONObject, op: JSONObject, app_op: JSONObject) -> Iterator[str]:
    raw = op.get("security", spec.get("security")) or []
    want = {name for requirement in raw if isinstance(requirement, dict) for name in requirement}
    got = {name for requirement in app_op.get("security") or [] for name in requirement}
    if want != got:
        yield f"security schemes {sorted(want)} in the spec, {sorted(got)} in the app"
