"""Running an answer or briefing so that Ctrl-C cancels it and the REPL gets its prompt back at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .display import Output


class Cancelled(Exception):
    """The user pressed Ctrl-C while an answer or briefing was running."""


class Worker:
    """One answer at a time in a worker thread; a cancelled one still winding down is waited for."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self._straggler: threading.Event | None = None  # "done" of a cancelled answer still winding down

    def run(self, fn: Callable[[threading.Event], Any]) -> Any:
        """Run ``fn(cancel)`` in a worker thread; Ctrl-C sets ``cancel``, prints "(cancelled)" and raises
        ``Cancelled`` so the REPL returns to the prompt while the worker winds down.

        The main thread waits on an Event, never on ``Thread.join``: a join interrupted by Ctrl-C marks a
        still-running thread as stopped (CPython's bpo-45274 handling), which would let two answers run at once.
        """
        if self._straggler is not None and not self._straggler.is_set():
            self.out.line(self.out.dim("(waiting for the cancelled answer to stop…)"))
            self._straggler.wait()
        self._straggler = None
        cancel, done = threading.Event(), threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = fn(cancel)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                box["error"] = exc
            finally:
                done.set()

        try:
            threading.Thread(target=target, name="chat-answer", daemon=True).start()
            while not done.wait(0.05):
                pass
        except KeyboardInterrupt:
            cancel.set()
            self.out.clear_transient()
            self.out.line("\n(cancelled)")
            try:
                done.wait(3.0)
            except KeyboardInterrupt:
                pass
            if not done.is_set():
                self._straggler = done
            raise Cancelled() from None
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def wait_idle(self, timeout: float | None = None) -> None:
        """Let a cancelled answer still winding down finish (a model must not be freed under it at exit)."""
        if self._straggler is not None:
            self._straggler.wait(timeout)
