"""Running the app: safe by default (loopback unless told otherwise, and then only with a key), the socket
bound before anything loads (a taken port is a one-line error), uvicorn stopped when loading fails."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.errors import AssistantError, ConfigError

if TYPE_CHECKING:
    from ..core.settings import Settings
    from .engine import Engine

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """Is ``host`` reachable from this machine only (127.0.0.0/8, ::1, localhost)?"""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, api_key: str | None) -> None:
    """Listening beyond this machine needs a key: refuse before loading anything."""
    if not is_loopback(host) and not api_key:
        raise ConfigError(f"refusing to listen on {host} without an API key",
                          hint="pass --api-key KEY or set ASSISTANT_API_KEY, or listen on 127.0.0.1")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket; a taken port or an unknown address is a ``ConfigError``."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, reuse_port=False)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def make_server(settings: Settings, sock: socket.socket, api_key: str | None,
                load: Callable[[], Engine] | None = None, log_level: str = "info"):  # -> uvicorn.Server
    """A uvicorn server for the app on ``sock``; it stops itself when the engine fails to load."""
    import uvicorn

    from .app import create_app

    app = create_app(settings, api_key, load)
    limits = settings.serve
    config = uvicorn.Config(app, log_level=log_level, access_log=True, lifespan="on",
                            limit_concurrency=2 * (limits.workers + limits.queue) + 16,
                            timeout_graceful_shutdown=5, server_header=False)
    ours = logging.getLogger("assistant.serve")  # our lines beside uvicorn's, in its format
    ours.handlers, ours.propagate = logging.getLogger("uvicorn").handlers, False
    ours.setLevel(logging.getLogger("uvicorn.error").level)
    server = uvicorn.Server(config)
    app.state.service.on_failure = lambda: setattr(server, "should_exit", True)
    return server


def serve(settings: Settings, host: str, port: int, api_key: str | None, log_level: str = "info") -> None:
    """Serve until interrupted; a failure to load the models or index is raised once uvicorn has stopped."""
    check_exposure(host, api_key)
    sock = bind(host, port)
    server = make_server(settings, sock, api_key, log_level=log_level)
    shown = f"[{host}]" if ":" in host else host
    logging.getLogger("assistant.serve").info(
        "serving on http://%s:%d (API at /v1, page at /; loading the index and models…)", shown, sock.getsockname()[1])
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it shut down on: stopping is the normal end
        pass
    error = server.config.app.state.service.error
    if isinstance(error, AssistantError):
        raise error
    if error is not None:
        raise AssistantError(f"could not load the models or index: {error}")
