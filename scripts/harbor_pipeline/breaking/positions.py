"""Lines of JSON pointers in JSON text, found with the C scanner instead of a YAML parse.

Composing a 13 MB JSON document as YAML takes seconds; this decodes each object on the
way to a pointer once (keys and where each value starts) and skips values with
`raw_decode`, so a report's few dozen lookups cost about one decode of the document.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonLines:
    def __init__(self, text: str) -> None:
        self.text = text
        # Per container start: each key (or index) -> (where its key or item starts, value start).
        self._members: dict[int, dict[str, tuple[int, int]]] = {}

    def _skip(self, at: int) -> int:
        found = _SPACE.match(self.text, at)
        return found.end() if found else at

    def _scan(self, start: int) -> dict[str, tuple[int, int]]:
        members = self._members.get(start)
        if members is not None:
            return members
        members, text = {}, self.text
        opener = text[start]
        at = self._skip(start + 1)
        index = 0
        while at < len(text) and text[at] not in "]}":
            if opener == "{":
                key, after = scanstring(text, at + 1)
                value = self._skip(self._skip(after) + 1)  # past the colon
            else:
                key, value = str(index), at
                index += 1
            members.setdefault(key, (at, value))
            end = _DECODER.raw_decode(text, value)[1]
            at = self._skip(end)
            if at < len(text) and text[at] == ",":
                at = self._skip(at + 1)
        self._members[start] = members
        return members

    def line(self, pointer: str) -> tuple[int, bool] | None:
        """The 1-based line of `pointer`'s deepest part present, and whether all of it is."""
        at = self._skip(0)
        if at >= len(self.text) or self.text[at] != "{":
            return None
        mark = at
        for token in (t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]):
            found = self._scan(at).get(token) if self.text[at] in "{[" else None
            if found is None:
                return self.text.count("\n", 0, mark) + 1, False
            mark, at = found
        return self.text.count("\n", 0, mark) + 1, True
