"""``assistant serve``: an OpenAI-compatible API and a small web page over the same library calls."""

from __future__ import annotations

import argparse
import os


def add_parser(sub, shared) -> None:
    p = sub.add_parser(
        "serve", parents=[shared["common"]], help="serve cited answers to chat clients and a web page",
        description="An OpenAI-compatible API (POST /v1/chat/completions, streaming too; GET /v1/models; "
                    "POST /v1/briefs; POST /v1/verify) and a web page at /. Replies carry the [n] markers, "
                    "'citations' (URLs) and 'sources' (passages, each sentence's verdict). Models and the index "
                    "load once at start-up (503 until then). Listens on 127.0.0.1 unless --host says otherwise, "
                    "and then only with an API key. Limits (workers, queue, sizes, CORS): [serve] settings.",
        epilog="example: assistant serve --port 8000   # then: OPENAI_BASE_URL=http://127.0.0.1:8000/v1")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--api-key", metavar="KEY", default=None,
                   help="require 'Authorization: Bearer KEY' (env ASSISTANT_API_KEY; required off loopback)")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                   help="server log level (default info; the key is never logged)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.errors import InputError
    from ..serve.server import serve
    from .main import settings_from_args

    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port} is not a port number (0-65535)")
    api_key = args.api_key or os.environ.get("ASSISTANT_API_KEY") or None
    settings = settings_from_args(args)
    serve(settings, args.host, args.port, api_key, log_level=args.log_level)
    return 0
