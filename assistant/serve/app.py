"""The ASGI app: the request-size limit, security headers, CORS only when configured, the routes (every
``/v1`` one behind the key check) and the web page's files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from . import errors
from .errors import ApiError
from .service import Service, authorised

if TYPE_CHECKING:
    from ..core.settings import Settings
    from .engine import Engine

WEB = Path(__file__).resolve().parent / "web"

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     b"frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
]
"""The page loads only its own files; inline style is for the briefing note, which is standalone HTML."""


class Limits:
    """ASGI middleware: bodies over the limit get 413 before the app reads them; every reply gets the
    security headers."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def headed(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
            await send(message)

        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._too_large(scope, headed)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                return await self._too_large(scope, headed)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, headed)

    async def _too_large(self, scope, send) -> None:
        from .errors import error_response

        kib = self.max_bytes // 1024
        await error_response(ApiError(413, f"the request is larger than {kib} KiB", "request_too_large"))(
            scope, None, send)


def create_app(settings: Settings, api_key: str | None = None, load: Callable[[], Engine] | None = None) -> FastAPI:
    """The app; ``load`` builds the engine (default: the index and model ``settings`` name)."""
    from contextlib import asynccontextmanager

    from . import chat_api, tools_api
    from .engine import Engine

    svc = Service(settings, api_key, load or (lambda: Engine.load(settings)))

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        svc.start()
        yield
        svc.pool.shutdown()

    app = FastAPI(title="news-assistant", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.service = svc
    errors.install(app)
    app.include_router(tools_api.public)
    app.include_router(tools_api.router, dependencies=[Depends(authorised)])
    app.include_router(chat_api.router, dependencies=[Depends(authorised)])
    app.mount("/", StaticFiles(directory=WEB, html=True), name="web")
    if settings.serve.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.serve.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["authorization", "content-type"])
    app.add_middleware(Limits, max_bytes=settings.serve.max_request_kb * 1024)
    return app
