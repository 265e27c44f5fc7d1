"""Rules that hold for all schemas: a contract is compatible with itself, and directions mirror.

Narrowing what a request accepts breaks clients exactly when widening what a
response sends would break them the other way round.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from harbor_pipeline.breaking import Spec, compare_specs

_MIRROR = {"narrowed": "widened", "widened": "narrowed", "added": "removed", "removed": "added"}


@st.composite
def scalar_schemas(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "integer", "number"]))
    schema: dict[str, Any] = {"type": [kind, "null"] if draw(st.booleans()) else kind}
    if kind == "string":
        if draw(st.booleans()):
            schema["enum"] = draw(
                st.lists(st.sampled_from("abcd"), min_size=1, max_size=4, unique=True)
            )
        for key in ("minLength", "maxLength"):
            if draw(st.booleans()):
                schema[key] = draw(st.integers(0, 5))
        if draw(st.booleans()):
            schema["pattern"] = draw(st.sampled_from(["^a", "^b", "c$"]))
        if draw(st.booleans()):
            schema["format"] = draw(st.sampled_from(["date", "email", "uuid"]))
    else:
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if draw(st.booleans()):
                schema[key] = draw(st.integers(-3, 3))
        if draw(st.booleans()):
            schema["multipleOf"] = draw(st.sampled_from([1, 2, 3, 4]))
        if kind == "integer" and draw(st.booleans()):
            schema["format"] = draw(st.sampled_from(["int32", "int64"]))
    return schema


@st.composite
def object_schemas(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from("pqrs"), max_size=4, unique=True))
    properties = {name: draw(scalar_schemas()) for name in names}
    required = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _document(schema: dict[str, Any], where: str) -> Spec:
    content = {"application/json": {"schema": schema}}
    if where == "request":
        operation: dict[str, Any] = {
            "requestBody": {"required": True, "content": content},
            "responses": {"204": {"description": "done"}},
        }
    else:
        operation = {"responses": {"200": {"description": "ok", "content": content}}}
    root = {
        "openapi": "3.1.0",
        "info": {"title": "p", "version": "1"},
        "paths": {"/x": {"post": operation}},
    }
    return Spec(where, root)


def _ids(old: dict[str, Any], new: dict[str, Any], where: str) -> list[str]:
    comparison = compare_specs(_document(old, where), _document(new, where))
    return sorted(f.id for f in comparison.findings)


def _mirror(rule: str) -> str:
    """The response rule that mirrors a request rule (request narrowed <-> response widened)."""
    head, _, tail = rule.removeprefix("request-").rpartition("-")
    if rule == "request-became-nullable":
        return "response-became-non-nullable"
    if rule == "request-became-non-nullable":
        return "response-became-nullable"
    return f"response-{head}-{_MIRROR.get(tail, tail)}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(scalar_schemas(), object_schemas()), st.sampled_from(["request", "response"]))
def test_a_schema_is_compatible_with_itself(schema: dict[str, Any], where: str) -> None:
    assert _ids(schema, schema, where) == []


@settings(max_examples=300, deadline=None)
@given(scalar_schemas(), scalar_schemas())
def test_request_and_response_mirror_each_other(old: dict[str, Any], new: dict[str, Any]) -> None:
    request = _ids(old, new, "request")
    response = _ids(new, old, "response")
    assert sorted(_mirror(rule) for rule in request) == response


@settings(max_examples=200, deadline=None)
@given(object_schemas(), object_schemas())
def test_comparing_never_fails_and_is_deterministic(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    for where in ("request", "response"):
        assert _ids(old, new, where) == _ids(old, new, where)
