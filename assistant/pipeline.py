"""Two small helpers that keep a long batch job fast and its memory flat."""

from __future__ import annotations

import ctypes
import ctypes.util
import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def run_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield ``items`` while a daemon thread computes up to ``depth`` of them ahead.

    The producer's exceptions are re-raised here; when the consumer stops early (an error, Ctrl-C),
    the producer is told to stop at its next item and nothing it made is used."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            box.put((_DONE, exc))

    worker = threading.Thread(target=produce, name="run-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = box.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()


def release_memory() -> None:
    """Hand freed heap pages back to the system (glibc keeps them per thread arena otherwise), so
    resident memory after each batch is what the job holds, not the high-water mark of every thread."""
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
