"""Rewrite a spec for the model generator: every schema a handler sees gets a stable model name.

Component schemas are renamed to unique PascalCase names (references rewritten), and inline
request and response body schemas are hoisted into components, named after their operation.
The model generator then names each class exactly as we do, so the parser can refer to them.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import unquote

from pydantic import StringConstraints, TypeAdapter
from pydantic_core import SchemaError

from .names import TAKEN_CLASS_NAMES, pascal, snake
from .problems import Level, Problem, pointer
from .satisfiable import prune_unsatisfiable

JSONObject = dict[str, Any]
SCHEMA_REF = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(slots=True)
class Hoisted:
    """The rewritten spec, the model name of each original component, and each body's model."""

    spec: JSONObject
    component_names: dict[str, str] = field(default_factory=dict)
    body_models: dict[str, str] = field(
        default_factory=dict
    )  # JSON pointer of a media type -> model name
    problems: list[Problem] = field(default_factory=list)


def operations(spec: JSONObject) -> Iterator[tuple[str, str, JSONObject, JSONObject]]:
    """(path, method, operation, path item) for every operation, in document order."""
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation, item


def operation_id(path: str, method: str, operation: JSONObject) -> str:
    raw = operation.get("operationId")
    return raw if isinstance(raw, str) and raw.strip() else f"{method} {path}"


def hoist(spec: JSONObject, wrap: frozenset[str] = frozenset()) -> Hoisted:
    """`wrap`: model names the model generator left out on a first pass. A component of them
    gets its own root model in each body that uses it, even if it looks like a class; a body's
    hoisted `$ref`-with-siblings becomes an allOf."""
    data = copy.deepcopy(spec)
    result = Hoisted(spec=data)
    schemas: JSONObject = data.setdefault("components", {}).setdefault("schemas", {}) or {}
    data["components"]["schemas"] = schemas
    used: set[str] = set(TAKEN_CLASS_NAMES)
    renames: dict[str, str] = {}
    for original in sorted(schemas):
        name = pascal(original)
        renames[original] = _unique(f"{name}Model" if name in TAKEN_CLASS_NAMES else name, used)
    _rewrite_refs(
        data, {SCHEMA_REF + old: SCHEMA_REF + new for old, new in renames.items() if old != new}
    )
    data["components"]["schemas"] = {renames[k]: v for k, v in schemas.items()}
    schemas = data["components"]["schemas"]
    result.component_names = renames
    result.problems.extend(_drop_unsupported_patterns(data))
    result.problems.extend(prune_unsatisfiable(data))
    for path, method, operation, _item in operations(data):
        base = pascal(snake(operation_id(path, method, operation)))
        where = ("paths", path, method)
        body = _deref(data, operation.get("requestBody"))
        for media, content in _contents(body):
            place = pointer(*where, "requestBody", "content", media)
            result.body_models[place] = _model_for(content, f"{base}Request", schemas, used, wrap)
        for status, response in (operation.get("responses") or {}).items():
            for media, content in _contents(_deref(data, response)):
                place = pointer(*where, "responses", str(status), "content", media)
                name = f"{base}{str(status).capitalize()}Response"
                result.body_models[place] = _model_for(content, name, schemas, used, wrap)
    return result


def _contents(holder: object) -> Iterator[tuple[str, JSONObject]]:
    if not isinstance(holder, dict):
        return
    for media, content in (holder.get("content") or {}).items():
        if isinstance(content, dict) and isinstance(content.get("schema"), dict) and is_json(media):
            yield media, content


def is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base.endswith(("/json", "+json")) or base == "*/*"


def _model_for(
    content: JSONObject, name: str, schemas: JSONObject, used: set[str], wrap: frozenset[str]
) -> str:
    schema = content["schema"]
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF) and len(schema) == 1:
        target = schemas.get(ref[len(SCHEMA_REF) :])
        if (
            isinstance(target, dict)
            and _keeps_its_class(target)
            and ref[len(SCHEMA_REF) :] not in wrap
        ):
            return ref[len(SCHEMA_REF) :]
        # A root model (an array, a string...) may be collapsed into the fields that use it,
        # so the body gets a root model of its own that nothing else refers to.
    unique = _unique(name, used)
    if unique in wrap and isinstance(ref, str) and len(schema) > 1:
        # A `$ref` beside other keywords, to a model that refers to itself, is taken by the
        # model generator for the reference alone and gets no class: the same schema (3.1's
        # meaning of the siblings) as an allOf gets one. Only on the retry, so the bodies the
        # first pass models keep their classes as they were.
        schema = {"allOf": [{"$ref": ref}], **{k: v for k, v in schema.items() if k != "$ref"}}
    schemas[unique] = schema
    # The inline schema also stays where it is: other `$ref`s may point into it by path.
    return unique


def _drop_unsupported_patterns(spec: JSONObject) -> list[Problem]:
    """Remove patterns pydantic's regex engine cannot compile (look-around), each with a warning.

    Generated code that imports must beat a constraint it cannot enforce; the warning says so.
    """
    problems: list[Problem] = []
    stack: list[tuple[tuple[str, ...], object]] = [((), spec)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            pattern = node.get("pattern")
            if isinstance(pattern, str) and not pattern_supported(pattern):
                del node["pattern"]
                message = f"pattern {pattern!r} uses syntax the server's regex engine lacks (look-around, say); it is not enforced"
                problems.append(
                    Problem(
                        Level.WARNING, pointer(*where, "pattern"), message, "pattern-unsupported"
                    )
                )
            stack.extend(((*where, str(k)), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*where, str(i)), v) for i, v in enumerate(node))
    return problems


@functools.lru_cache(maxsize=4096)
def pattern_supported(pattern: str) -> bool:
    """Whether the server's regex engine (pydantic-core's) compiles `pattern`."""
    try:
        TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    except (SchemaError, ValueError):
        return False
    return True


def _keeps_its_class(schema: JSONObject) -> bool:
    """Whether the model generator emits a class for this schema even when others refer to it."""
    if "enum" in schema:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return False  # a union is a root model, whatever `type` says
    kinds = schema.get("type")
    return bool("properties" in schema or "allOf" in schema or kinds == "object")


def _deref(spec: JSONObject, node: object, depth: int = 0) -> object:
    """Follow `$ref`s of responses and request bodies (not schemas) to the object they name."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 32:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return None
        target: Any = spec
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            target = target.get(unquote(token)) if isinstance(target, dict) else None
        node, depth = target, depth + 1
    return node


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate


def _rewrite_refs(node: object, mapping: dict[str, str]) -> None:
    if not mapping:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                if ref in mapping:
                    current["$ref"] = mapping[ref]
                elif ref.startswith(SCHEMA_REF):
                    head, sep, tail = ref[len(SCHEMA_REF) :].partition("/")
                    if SCHEMA_REF + head in mapping:
                        current["$ref"] = mapping[SCHEMA_REF + head] + sep + tail
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
