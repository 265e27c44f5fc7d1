"""A finding's stable fingerprint: its rule, its operation as matched, and where it sits.

The place is the finding's pointer with what a refactor renames left out: the path (its
parameter names; the operation key names the operation) and a component's name. So a
component renamed, a path parameter renamed or an unrelated edit elsewhere keeps the
fingerprint, and an accepted change stays accepted.
"""

from __future__ import annotations

import hashlib

from harbor_pipeline.breaking.operations import key_of


def place(pointer: str) -> str:
    """`pointer` without the path template or component name it passes through.

    `#/paths/~1orders~1{id}/post/requestBody` -> `post/requestBody`;
    `#/components/schemas/Order/properties/note` -> `schemas/properties/note`.
    """
    tokens = pointer.split("/")
    if len(tokens) >= 3 and tokens[1] in ("paths", "webhooks"):
        return "/".join(tokens[3:])
    if len(tokens) >= 4 and tokens[1] == "components":
        return "/".join([tokens[2], *tokens[4:]])
    return "/".join(tokens[1:])


def fingerprint(rule: str, operation: str, pointer: str) -> str:
    """16 hex digits of SHA-256 over the rule id, operation key and place."""
    text = "\n".join((rule, key_of(operation), place(pointer)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
