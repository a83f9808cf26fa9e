"""A bounded worker pool: a few threads do the work, a fixed number of jobs may wait, and one more is
refused at once (the route answers 429) instead of piling up in memory."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class Pool:
    """``workers`` threads; at most ``workers + queue`` jobs admitted (running or waiting) at a time."""

    def __init__(self, workers: int, queue: int) -> None:
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="serve-worker")
        self._admitted = 0
        self._lock = threading.Lock()

    @property
    def admitted(self) -> int:
        return self._admitted

    def submit(self, fn: Callable[[], Any]) -> Future:
        """Start ``fn`` on a worker, or raise ``Busy``; its slot frees when ``fn`` ends, not when its caller
        stops waiting, so the bound holds for the work itself."""
        with self._lock:
            if self._admitted >= self.capacity:
                raise Busy()
            self._admitted += 1
        try:
            future = self._executor.submit(fn)
        except BaseException:
            self._release(None)
            raise
        future.add_done_callback(self._release)
        return future

    async def run(self, fn: Callable[[], Any]) -> Any:
        """``fn()``'s result, computed on a worker (``Busy`` when full)."""
        return await asyncio.wrap_future(self.submit(fn))

    def _release(self, _: Future | None) -> None:
        with self._lock:
            self._admitted -= 1

    def shutdown(self) -> None:
        """Let running jobs finish; waiting ones are dropped."""
        self._executor.shutdown(wait=True, cancel_futures=True)
