"""Watch the spec's files and reload the preview once a save has settled.

Polling `stat` rather than inotify: it sees a file replaced by rename (how many editors save),
works on every filesystem, and the set of files changes whenever a `$ref` does. An editor's
save can be several writes in a row; the reload waits until the files have been quiet for
`settle` seconds, so a half-written file is not read, nor the same save twice. While the spec
cannot be read it is read again every `retry` seconds: the file a broken `$ref` names is not
watched yet, and creating it must be enough.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .preview import Preview

# Per file: (path, inode, size, mtime), or (path,) while it does not exist.
Signature = tuple[tuple[object, ...], ...]


def signature(files: Iterable[Path]) -> Signature:
    marks: list[tuple[object, ...]] = []
    for file in files:
        try:
            stat = os.stat(file)
        except OSError:
            marks.append((str(file),))
        else:
            marks.append((str(file), stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(marks)


class Debouncer:
    """Says when to reload: once the files differ from what was loaded and have not changed
    for `settle` seconds."""

    def __init__(self, loaded: Signature, settle: float) -> None:
        self.loaded, self.settle = loaded, settle
        self._pending: Signature | None = None
        self._since = 0.0

    def due(self, seen: Signature, now: float) -> bool:
        if seen == self.loaded:
            self._pending = None
            return False
        if seen != self._pending:
            self._pending, self._since = seen, now
            return False
        return now - self._since >= self.settle


class Watcher:
    """Polls the preview's files every `interval` seconds in a daemon thread until `stop()`."""

    def __init__(
        self,
        preview: Preview,
        *,
        interval: float = 0.1,
        settle: float = 0.15,
        retry: float = 1.0,
        report: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.preview, self.interval, self.retry, self.report = preview, interval, retry, report
        self._retried = time.monotonic()
        self._debouncer = Debouncer(signature(preview.watched()), settle)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="harbor-docs-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            seen, now = signature(self.preview.watched()), time.monotonic()
            retry = self.preview.broken and now - self._retried >= self.retry
            if retry:
                self._retried = now
            if not (retry or self._debouncer.due(seen, now)):
                continue
            before = tuple(mark[0] for mark in seen)
            if self.preview.reload():
                self.report(self.preview.summary())
            # The files as they were read, unless a `$ref` added or dropped one.
            files = self.preview.watched()
            same = tuple(str(file) for file in files) == before
            self._debouncer.loaded = seen if same else signature(files)
