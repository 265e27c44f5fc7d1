"""Request deadlines: one timer per process cancels requests that overrun, instead of one each.

`asyncio.timeout` arms a timer per request and costs several microseconds on every request
(about a tenth of a whole small request here). This keeps a dict of requests in flight and
their deadlines, O(1) to enter and leave; a single timer, running only while requests are in
flight, wakes every `tick` seconds and cancels the tasks that are late. A request ends at most
one tick after its deadline.

A handler whose write must not be cut in two (it cannot tell the client what happened
afterwards) runs it through `uninterrupted`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

Ticker = Callable[[], float]
T = TypeVar("T")


class Deadlines:
    """Deadlines of the requests in flight on one event loop."""

    def __init__(self, seconds: float, *, tick: float | None = None, now: Ticker = time.monotonic):
        if seconds <= 0:
            raise ValueError("a deadline needs seconds > 0")
        self.seconds = seconds
        self.tick = tick if tick is not None else min(1.0, seconds / 4)
        self._now = now
        self._due: dict[asyncio.Task[object], float] = {}
        self._late: set[asyncio.Task[object]] = set()
        self._timer: asyncio.TimerHandle | None = None

    def enter(self) -> asyncio.Task[object]:
        """Start the clock for the current task (the one serving the request)."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Deadlines.enter needs a running task")
        self._due[task] = self._now() + self.seconds
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.tick, self._check)
        return task

    def leave(self, task: asyncio.Task[object]) -> bool:
        """Stop the clock; True when the deadline cancelled the task (its cancel is undone)."""
        self._due.pop(task, None)
        if task not in self._late:
            return False
        self._late.discard(task)
        task.uncancel()
        return True

    def _check(self) -> None:
        now = self._now()
        for task in [t for t, due in self._due.items() if due <= now]:
            del self._due[task]
            if not task.done():
                self._late.add(task)
                task.cancel("request deadline")
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.tick, self._check) if self._due else None


async def uninterrupted(work: Coroutine[Any, Any, T]) -> T:
    """`work`'s result, even if the caller is cancelled meanwhile (the request deadline, a
    shutdown's last cancel): a write that has begun finishes, and the request answers what it
    did instead of a 503 that leaves the client guessing whether it happened. The wait is
    bounded by the database's statement timeout."""
    task = asyncio.ensure_future(work)
    while not task.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)
    return task.result()
