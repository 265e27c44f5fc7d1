"""Patterns the validator's regex engines reject, kept from failing a whole document.

Shared by the generator's loader and the breaking gate's (and so the mock's), so every tool
accepts the same documents: a spec `harbor generate` reads, `harbor breaking` and `harbor
mock` read too.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import Any

from openapi_spec_validator.schemas import schema_v30, schema_v31
from openapi_spec_validator.schemas.backend import get_validator_for


def without_rejected_patterns(document: Any, version: str) -> Any:
    """`document`, with each `pattern` the validator's regex engines reject replaced by ""."""
    return _without(document, RegexJudge(schema_v31 if version.startswith("3.1") else schema_v30))


class RegexJudge:
    """Whether the validator accepts a string as `format: regex`.

    It judges twice: the meta-schema pass with its backend's engine (jsonschema-rs's, ECMA-262
    like, rejects `[a-z]{1-70}` and octal `\\000`), the Schema Object pass with Python's `re`
    (rejects `\\p{L}` and `[\\d-_]`). A pattern must pass both.
    """

    def __init__(self, meta: Mapping[str, Any]) -> None:
        self._validator = get_validator_for(
            {"$schema": meta.get("$schema"), "type": "string", "format": "regex"}
        )
        self._seen: dict[str, bool] = {}

    def accepts(self, pattern: str) -> bool:
        verdict = self._seen.get(pattern)
        if verdict is None:
            verdict = self._seen[pattern] = _re_compiles(pattern) and bool(
                self._validator.is_valid(pattern)
            )
        return verdict


def _re_compiles(pattern: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning on `[[`: a judgement, not a problem
            re.compile(pattern)
    except re.error:
        return False
    return True


def _without(node: Any, judge: RegexJudge) -> Any:
    """`node`, with each `pattern` the validator's regex engine rejects replaced by an empty one.

    Regex dialects differ (ECMA-262, Python, Rust), and a pattern one engine rejects would fail
    the whole document, or make its schema match no `oneOf` branch of the meta-schema, with a
    message that does not say why. Only the validator sees the replacement; whether the server
    can enforce a pattern is decided in hoist, which drops it with a warning when it cannot.
    Copy-on-write: unchanged subtrees are shared, not copied.
    """
    if isinstance(node, dict):
        changed: dict[str, Any] | None = None
        for key, value in node.items():
            new = (
                ""
                if key == "pattern" and isinstance(value, str) and not judge.accepts(value)
                else _without(value, judge)
            )
            if new is not value:
                changed = changed if changed is not None else dict(node)
                changed[key] = new
        return node if changed is None else changed
    if isinstance(node, list):
        items = [_without(item, judge) for item in node]
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    return node
