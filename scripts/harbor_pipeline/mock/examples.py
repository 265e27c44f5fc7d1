"""What each documented response sends: its status, media type, named examples and headers.

Built once at start-up. A response's default body is its first example that validates, else a
value generated from its schema; header values come the same way, from the header's examples.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from harbor_pipeline.breaking.nodes import Node

from .document import Document, child_pointer, mapping
from .values import generate


@dataclass(frozen=True, slots=True)
class Header:
    """A documented response header: its name, schema pointer (if any) and example value."""

    name: str
    schema: str | None
    value: str


@dataclass(frozen=True, slots=True)
class Answer:
    """One documented response of an operation."""

    key: str  # as the spec writes it: "201", "4XX", "default"
    status: int
    media_type: str | None
    schema: str | None  # the body schema's pointer
    examples: Mapping[str, object]
    body: object  # the default body (None without content)
    headers: tuple[Header, ...]

    @property
    def has_body(self) -> bool:
        return self.media_type is not None and self.status not in (204, 304)


def status_of(key: str) -> int:
    """The status a response key stands for: `4XX` is 400, `default` 500 for errors."""
    if key.isdigit():
        return int(key)
    if len(key) == 3 and key[0] in "12345" and key[1:].upper() == "XX":
        return int(key[0]) * 100
    return 200


def build_answer(document: Document, key: str, node: Node, pointer: str) -> Answer:
    response, pointer = document.deref(node, pointer)
    content = mapping(response, "content")
    media_type = _pick_media_type(list(content))
    schema: str | None = None
    examples: dict[str, object] = {}
    body: object = None
    if media_type is not None:
        media = mapping(content, media_type)
        media_pointer = child_pointer(pointer, "content", media_type)
        if isinstance(media.get("schema"), Mapping):
            schema = child_pointer(media_pointer, "schema")
        examples = _named_examples(document, media, media_pointer)
        body = _default(document, schema, list(examples.values()), pointer)
    headers = tuple(
        _header(document, name, child_pointer(pointer, "headers", name))
        for name, value in mapping(response, "headers").items()
        if isinstance(value, Mapping) and name.lower() != "content-type"
    )
    return Answer(key, status_of(key), media_type, schema, examples, body, headers)


def _pick_media_type(media_types: list[str]) -> str | None:
    """JSON first, as partners read it; otherwise the first the spec lists."""
    for media_type in media_types:
        base = media_type.split(";", 1)[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return media_type
    return media_types[0] if media_types else None


def _named_examples(document: Document, media: Node, pointer: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, value in mapping(media, "examples").items():
        if isinstance(value, Mapping):
            example, _ = document.deref(value, child_pointer(pointer, "examples", name))
            if "value" in example:
                found[name] = example["value"]  # externalValue: not fetched
    if "example" in media:
        found.setdefault("example", media["example"])
    return found


def _default(
    document: Document, schema: str | None, candidates: list[object], where: str
) -> object:
    if schema is None:
        return candidates[0] if candidates else None
    for candidate in candidates:
        if document.is_valid(schema, candidate):
            return candidate
    value = generate(document, schema)
    if not document.is_valid(schema, value):
        problem = document.errors(schema, value, "body")[0]
        print(
            f"{document.name}: {where}: warning: no valid value for this schema "
            f"({problem.pointer or '/'}: {problem.message}); the mock sends its best guess",
            file=sys.stderr,
        )
    return value


def _header(document: Document, name: str, pointer: str) -> Header:
    header, pointer = document.deref({"$ref": pointer}, pointer)
    schema = child_pointer(pointer, "schema") if isinstance(header.get("schema"), Mapping) else None
    candidates: list[object] = []
    if "example" in header:
        candidates.append(header["example"])
    for example_name, value in mapping(header, "examples").items():
        if isinstance(value, Mapping):
            example, _ = document.deref(value, child_pointer(pointer, "examples", example_name))
            if "value" in example:
                candidates.append(example["value"])
    value = (
        _default(document, schema, candidates, pointer) if schema else next(iter(candidates), "")
    )
    return Header(name, schema, as_header_text(value))


def as_header_text(value: object) -> str:
    """A value as a header carries it: scalars as text, `true`/`false`, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(as_header_text(item) for item in value)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, Mapping) else str(value)
