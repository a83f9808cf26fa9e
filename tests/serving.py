"""Running ``assistant serve``'s app on a free loopback port in a thread, for the API and page tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from assistant.core.settings import Settings
from assistant.serve.server import bind, make_server


@contextmanager
def running(settings: Settings, load: Callable, api_key: str | None = None, wait_ready: bool = True) -> Iterator[str]:
    """The server's base URL while the block runs; uvicorn is stopped (and its pool drained) after."""
    sock = bind("127.0.0.1", 0)
    server = make_server(settings, sock, api_key, load=load, log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        while wait_ready and time.monotonic() < deadline:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
            time.sleep(0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(30)
