"""The clients' error tree: one exception class per error status the spec declares, named by RFC 9110."""

from __future__ import annotations

import http
from collections.abc import Iterable

from ..names import pascal
from .ir import ErrorClass, Names

CLIENT_ERROR, SERVER_ERROR = "ClientError", "ServerError"
# RFC 9110's phrases where Python 3.11's http.HTTPStatus still has the older ones, and the class
# names that differ from the phrase. 429 is always present: the retry policy and gateways use it.
_PHRASES = {
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}
_NAMES = {429: "RateLimited"}
ALWAYS = (429,)


def error_tree(names: Names, statuses: Iterable[str]) -> tuple[ErrorClass, ...]:
    """The range classes, then a class per declared 4xx/5xx status (and 429), by status."""
    codes = sorted({int(s) for s in statuses if s.isdigit() and 400 <= int(s) <= 599} | set(ALWAYS))
    tree = [
        ErrorClass(CLIENT_ERROR, names.api_error, None, "A 4xx answer: the request was refused."),
        ErrorClass(SERVER_ERROR, names.api_error, None, "A 5xx answer: the server failed."),
    ]
    for code in codes:
        tree.append(
            ErrorClass(
                f"{status_name(code)}Error",
                CLIENT_ERROR if code < 500 else SERVER_ERROR,
                code,
                f"{code} {phrase(code)}.",
            )
        )
    return tuple(tree)


def status_name(code: int) -> str:
    """`NotFound`, `InternalServer`: the class name without its `Error` suffix."""
    name = _NAMES.get(code) or pascal(phrase(code), fallback="Status")
    return name.removesuffix("Error") or name


def phrase(code: int) -> str:
    if code in _PHRASES:
        return _PHRASES[code]
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return f"Status {code}"


def tree_lines(errors: tuple[ErrorClass, ...]) -> tuple[str, ...]:
    """The classes below the API error as an indented tree, for a docstring."""
    lines: list[str] = []
    bases = [e for e in errors if e.status is None]
    for i, base in enumerate(bases):
        last_base = i == len(bases) - 1
        kind = "4xx" if base.name == CLIENT_ERROR else "5xx"
        lines.append(f"    {'└──' if last_base else '├──'} {base.name} ({kind})")
        children = [e for e in errors if e.base == base.name]
        for j, child in enumerate(children):
            rail = "    " if last_base else "│   "
            branch = "└──" if j == len(children) - 1 else "├──"
            lines.append(f"    {rail}{branch} {child.name} ({child.status})")
    return tuple(lines)
