"""What the mock remembers: the paths deleted, so a deleted resource then answers 404.

A stateless mock would keep answering 200 for what a partner just deleted, and their client's
"gone" handling could not be tried. A later success under the same collection (a create)
brings them back, since the mock's examples reuse one id per resource.
"""

from __future__ import annotations

from collections import OrderedDict

_MAX = 1024  # bounded: the oldest deletion is forgotten first


class Deleted:
    def __init__(self) -> None:
        self._paths: OrderedDict[str, None] = OrderedDict()

    def covers(self, path: str) -> bool:
        """True when `path` is a deleted resource or lies under one."""
        return any(path == p or path.startswith(p + "/") for p in self._paths)

    def record(self, method: str, path: str) -> None:
        """Note a successful request: a DELETE removes `path`, a POST or PUT restores its subtree."""
        if method == "DELETE":
            self._paths[path] = None
            self._paths.move_to_end(path)
            while len(self._paths) > _MAX:
                self._paths.popitem(last=False)
        elif method in ("POST", "PUT"):
            for deleted in [p for p in self._paths if p == path or p.startswith(path + "/")]:
                del self._paths[deleted]
