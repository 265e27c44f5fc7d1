"""Recognise a cursor-paginated list operation: declared by `x-harbor-pagination`, or by its shape.

Declared: `x-harbor-pagination: {cursor-param: cursor, next-cursor: next_cursor, items: data}` on
the operation. Recognised without it: a query parameter named like a cursor, and a single JSON
success body whose object has exactly one array property and a string next-cursor property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..problems import Level, Problem
from .models import ModelsModule, list_item

EXTENSION = "x-harbor-pagination"
CURSOR_PARAMS = ("cursor", "page_token", "pageToken", "after")
NEXT_CURSORS = ("next_cursor", "nextCursor", "next_page_token", "nextPageToken")
JSONObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Found:
    """Where the cursor goes and where a page keeps its items and the next cursor."""

    cursor_param: str
    items_property: str  # JSON property names
    next_property: str
    items_attr: str  # the generated model's attributes
    next_attr: str
    item_annotation: str
    source: str


@dataclass(frozen=True, slots=True)
class Page:
    """What the recogniser needs of one operation."""

    where: str  # the operation's JSON pointer
    raw: JSONObject  # the operation object
    query_params: tuple[str, ...]  # wire names
    model: str | None  # the single JSON success body's model name, without `models.`
    schema: JSONObject  # that model's schema, references followed


def recognise(
    page: Page, models: ModelsModule, deref: Callable[[Any], JSONObject]
) -> tuple[Found | None, list[Problem]]:
    declared = page.raw.get(EXTENSION)
    if declared is None:
        return _by_shape(page, models, deref), []
    where = f"{page.where}/{EXTENSION}"
    if not isinstance(declared, dict):
        return None, [_error(where, f"{EXTENSION} must be a mapping")]
    cursor = declared.get("cursor-param")
    next_cursor = declared.get("next-cursor")
    items = declared.get("items")
    problems: list[Problem] = []
    if cursor not in page.query_params:
        problems.append(_error(where, f"cursor-param {cursor!r} is not a query parameter"))
    if page.model is None:
        problems.append(_error(where, "the operation has no single JSON success body to page"))
        return None, problems
    found = _fields(page.model, str(items), str(next_cursor), models)
    if found is None:
        message = f"{page.model} needs an array property {items!r} and a property {next_cursor!r}"
        problems.append(_error(where, message))
    if problems or found is None:
        return None, problems
    items_attr, next_attr, item = found
    return Found(
        str(cursor), str(items), str(next_cursor), items_attr, next_attr, item, EXTENSION
    ), []


def _by_shape(page: Page, models: ModelsModule, deref: Callable[[Any], JSONObject]) -> Found | None:
    cursor = next((p for p in CURSOR_PARAMS if p in page.query_params), None)
    if cursor is None or page.model is None:
        return None
    properties = {
        name: deref(schema) for name, schema in (page.schema.get("properties") or {}).items()
    }
    arrays = [name for name, schema in properties.items() if _types(schema) == {"array"}]
    nexts = [n for n in NEXT_CURSORS if n in properties and "string" in _types(properties[n])]
    if len(arrays) != 1 or not nexts:
        return None
    found = _fields(page.model, arrays[0], nexts[0], models)
    if found is None:
        return None
    return Found(cursor, arrays[0], nexts[0], found[0], found[1], found[2], "shape")


def _fields(
    model: str, items: str, next_cursor: str, models: ModelsModule
) -> tuple[str, str, str] | None:
    """The items' and the next cursor's attributes, and the item type, as generated."""
    items_field = models.field(model, items)
    next_field = models.field(model, next_cursor)
    if items_field is None or next_field is None:
        return None
    item = list_item(items_field.annotation)
    return None if item is None else (items_field.attr, next_field.attr, item)


def _types(schema: JSONObject) -> set[str]:
    raw = schema.get("type")
    types = {raw} if isinstance(raw, str) else set(raw) if isinstance(raw, list) else set()
    if not types and "items" in schema:
        types = {"array"}
    for branch in schema.get("anyOf") or schema.get("oneOf") or []:
        if isinstance(branch, dict):
            types |= _types(branch)
    return types - {"null"}


def _error(where: str, message: str) -> Problem:
    return Problem(Level.ERROR, where, message, "client-pagination")
