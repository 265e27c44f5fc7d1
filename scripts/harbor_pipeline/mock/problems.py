"""RFC 9457 problem details for what the mock refuses, and the `Prefer` header it obeys."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .document import FieldError

PROBLEM_JSON = "application/problem+json"
# Harbor's own problem types; a spec that documents others still gets these URIs.
_TYPES = "https://harbor.example/problems/"
_TITLES = {
    400: ("invalid-parameter", "A parameter is invalid"),
    401: ("unauthenticated", "Authentication required"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "The request is invalid"),
}
_PREFERENCE = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*("[^"]*"|[^,;\s]*))?\s*')


def problem(status: int, detail: str, errors: Sequence[FieldError] = ()) -> dict[str, object]:
    slug, title = _TITLES.get(status, ("error", "The request cannot be served"))
    if errors:  # the kind follows what is invalid, whichever status the spec documents
        slug, title = _TITLES[422 if any(e.location == "body" for e in errors) else 400]
    body: dict[str, object] = {
        "type": _TYPES + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [
            {"location": e.location, "pointer": e.pointer, "message": e.message} for e in errors
        ]
    return body


def counted(errors: Sequence[FieldError], one: str, many: str) -> str:
    """`2 parameters are invalid.`: the detail of a validation problem."""
    if len(errors) == 1:
        return f"1 {one} is invalid."
    return f"{len(errors)} {many} are invalid."


@dataclass(frozen=True, slots=True)
class Preferences:
    """`Prefer: code=404, example=name` (RFC 7240 syntax, as Prism reads it)."""

    code: int | None = None
    example: str | None = None
    unreadable: str | None = None  # a code that is not a status


def preferences(header: str | None) -> Preferences:
    code: int | None = None
    example: str | None = None
    unreadable: str | None = None
    for part in re.split(r"[,;]", header or ""):
        match = _PREFERENCE.fullmatch(part)
        if match is None or match.group(2) is None:
            continue
        name, value = match.group(1).lower(), match.group(2).strip('"')
        if name == "code":
            if value.isdigit() and 100 <= int(value) <= 599:
                code = int(value)
            else:
                unreadable = value
        elif name == "example":
            example = value
    return Preferences(code, example, unreadable)
