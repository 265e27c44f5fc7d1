"""One background thread for the lint jobs, the newest first: a save made while Spectral runs
replaces the job still waiting, so a burst of saves lints once more, not once per save."""

from __future__ import annotations

import threading

from .preview import Job


class LatestJobWorker:
    """Call it with a job to run it in the thread; a job not yet started is replaced."""

    def __init__(self) -> None:
        self._job: Job | None = None
        self._ready = threading.Condition()
        # A daemon: Ctrl-C must not wait for a Spectral run nobody will see.
        self._thread = threading.Thread(target=self._run, name="harbor-docs-lint", daemon=True)
        self._thread.start()

    def __call__(self, job: Job) -> None:
        with self._ready:
            self._job = job
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while self._job is None:
                    self._ready.wait()
                job, self._job = self._job, None
            job()  # Preview's jobs catch their own errors
