"""What the preview shows: the last good bundled document, and the problems of the last save.

A save is read and bundled at once, so the page changes as soon as the file does; then the
validator and Spectral (slow: a second or two) run in the background and their findings follow.
A save that cannot be read (bad YAML, a `$ref` to nowhere) shows its error and keeps the last
good document on screen. Every change bumps a version the browser polls with an ETag.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harbor_pipeline.codegen.load import Document, load
from harbor_pipeline.codegen.problems import SpecError

from .findings import Finding, Linter, from_line, from_problems, schema_findings, spectral_lines

Job = Callable[[], None]
Runner = Callable[[Job], None]  # runs a lint job somewhere else (a thread); tests run it inline


@dataclass(frozen=True, slots=True)
class Served:
    """A body with its ETag (a hash of the body: the same content, the same tag)."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Served:
        return cls(body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


@dataclass(slots=True)
class _State:
    generation: int = 0  # one per save read; a lint result for an older one is dropped
    texts: tuple[str, ...] = ()  # the text of every file, to ignore a save that changed nothing
    files: tuple[str, ...] = ()
    document: Served | None = None  # the last good bundled document, as JSON
    broken: bool = False  # the last save could not be read: `document` is an older one
    linting: bool = False
    findings: list[Finding] = field(default_factory=list)


class Preview:
    """The spec at `spec`, re-read on `reload()`; thread-safe (the watcher and the lint worker
    write, the web app reads)."""

    def __init__(self, spec: Path, *, lint: Linter = spectral_lines, run: Runner) -> None:
        self.spec = spec
        self._lint, self._run = lint, run
        self._lock = threading.Lock()
        self._state = _State(files=(str(spec),))
        self._status: Served | None = None

    def watched(self) -> tuple[Path, ...]:
        """The files the spec is made of: its own, and every file its `$ref`s pull in (the last
        ones known when it cannot be read now)."""
        with self._lock:
            return tuple(Path(file) for file in dict.fromkeys((str(self.spec), *self._state.files)))

    @property
    def broken(self) -> bool:
        """Whether the last read failed (and the document shown is an older one, if any)."""
        with self._lock:
            return self._state.broken

    def reload(self) -> bool:
        """Read the spec again; False when nothing changed since the last read (the same files,
        or the same failure)."""
        try:
            document = load(self.spec, validate=False)
        except SpecError as error:
            findings = from_problems(error.problems, self.spec, "syntax")
            with self._lock:
                if self._state.broken and self._state.findings == findings:
                    return False  # read again, failing the same way
                self._state.generation += 1
                self._state.texts = ()
                self._state.broken, self._state.linting = True, False
                self._state.findings = findings
                self._status = None
            return True
        texts = tuple(source.text for source in document.bundle.sources)
        with self._lock:
            state = self._state
            if texts == state.texts:
                return False
            state.generation += 1
            generation = state.generation
            state.texts, state.files = texts, document.files
            state.document = Served.of(json.dumps(document.data).encode())
            state.broken, state.linting, state.findings = False, True, []
            self._status = None
        self._run(lambda: self._lint_job(generation, document))
        return True

    def _lint_job(self, generation: int, document: Document) -> None:
        try:
            schema, seen = schema_findings(document)
            self._publish(generation, schema, done=False)
            lines = self._lint(self.spec, seen)
            self._publish(
                generation, [from_line(line, "spectral", str(self.spec)) for line in lines]
            )
        except Exception as error:  # a linter's crash is one more problem, never a dead worker
            what = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            crash = Finding(str(self.spec), None, None, "warning", f"lint failed: {what}", "lint")
            self._publish(generation, [crash])

    def _publish(self, generation: int, findings: list[Finding], *, done: bool = True) -> None:
        with self._lock:
            if generation != self._state.generation:
                return  # the file has been saved again since: its own job will report
            self._state.findings = [*self._state.findings, *findings]
            self._state.linting = not done
            self._status = None

    def document(self) -> Served | None:
        """The last good bundled document as JSON; None when the spec has never been read."""
        with self._lock:
            return self._state.document

    def status(self) -> Served:
        """What the page shows besides the document, as JSON; its ETag changes with any of it."""
        with self._lock:
            if self._status is None:
                state = self._state
                body = {
                    "spec": str(self.spec),
                    "files": list(state.files),
                    "document": state.document.etag.strip('"') if state.document else None,
                    "broken": state.broken,
                    "linting": state.linting,
                    "problems": [finding.as_json() for finding in state.findings],
                }
                self._status = Served.of(json.dumps(body).encode())
            return self._status

    def summary(self) -> str:
        """One line for the terminal after a reload."""
        with self._lock:
            state = self._state
            if state.broken:
                first = state.findings[0] if state.findings else None
                detail = f"{first.where}: {first.message}" if first else "cannot be read"
                return f"{self.spec}: cannot be read, showing the last good version ({detail})"
            return f"{self.spec}: read ({len(state.files)} file(s)); linting in the background"
