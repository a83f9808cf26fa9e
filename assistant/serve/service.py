"""What every route shares: the settings, the key check, the bounded pool, and the engine, which loads in
the background while the routes answer 503."""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from fastapi import Request

from .errors import ApiError, one_line
from .pool import Busy, Pool

if TYPE_CHECKING:
    from ..core.settings import Settings
    from .engine import Engine

log = logging.getLogger("assistant.serve")


class Service:
    """What every route shares: settings, the key, the pool and the engine once it has loaded."""

    def __init__(self, settings: Settings, api_key: str | None, load: Callable[[], Engine]) -> None:
        self.settings = settings
        self._key = api_key.encode() if api_key else None
        self._load = load
        self.pool = Pool(settings.serve.workers, settings.serve.queue)
        self.engine: Engine | None = None
        self.status = "loading"
        self.error: Exception | None = None
        self.on_failure: Callable[[], None] = lambda: None

    def start(self) -> threading.Thread:
        """Load the models and index in the background; routes answer 503 until they are ready."""
        thread = threading.Thread(target=self._loading, name="serve-loading", daemon=True)
        thread.start()
        return thread

    def _loading(self) -> None:
        try:
            self.engine = self._load()
            self.status = "ready"
            log.info("ready: %s", self.engine.llm_name)
        except Exception as exc:  # noqa: BLE001 - any failure to load stops the server with its reason
            self.error, self.status = exc, "failed"
            log.error("could not load the models or index: %s", one_line(str(exc)))
            self.on_failure()

    def ready(self) -> Engine:
        if self.engine is not None:
            return self.engine
        if self.status == "failed":
            raise ApiError(503, f"the server could not load: {one_line(str(self.error))}", "load_failed")
        raise ApiError(503, "the models and index are still loading", "loading",
                       retry_after=self.settings.serve.retry_after_s)

    def submit(self, fn: Callable[[], Any]) -> Future:
        """``fn`` on the pool; a full queue is a 429."""
        try:
            return self.pool.submit(fn)
        except Busy:
            raise ApiError(429, f"the server is busy: {self.pool.capacity} requests are running or waiting",
                           "queue_full", retry_after=self.settings.serve.retry_after_s) from None

    async def run(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.wrap_future(self.submit(fn))

    def check_key(self, authorization: str | None) -> None:
        """A configured key must come as ``Authorization: Bearer KEY`` (compared in constant time)."""
        if self._key is None:
            return
        scheme, _, given = (authorization or "").partition(" ")
        if not given or scheme.lower() != "bearer":
            raise ApiError(401, "missing API key: send 'Authorization: Bearer KEY'", "invalid_api_key")
        if not hmac.compare_digest(given.strip().encode(), self._key):
            raise ApiError(401, "incorrect API key", "invalid_api_key")


def service(request: Request) -> Service:
    return request.app.state.service


def authorised(request: Request) -> Service:
    """The dependency of every ``/v1`` route: the key checked first, then readiness."""
    svc = service(request)
    svc.check_key(request.headers.get("authorization"))
    return svc
