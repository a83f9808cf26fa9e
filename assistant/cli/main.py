"""The ``assistant`` command: parses arguments and hands each command to its module.

Command modules import only argparse-level code at import time, so ``assistant --help`` stays fast;
the heavy libraries (chromadb, llama-index, llama.cpp) load inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

COMMANDS = ("ingest", "feeds", "fetch", "stories", "watch", "retrieve", "ask", "brief", "chat", "verify", "check", "serve",
            "eval", "index", "config", "setup")


def common_options() -> argparse.ArgumentParser:
    """Global options, accepted before the subcommand and after it (defaults suppressed so either wins)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("global options")
    group.add_argument("--index", metavar="DIR", default=argparse.SUPPRESS,
                       help="embedded Chroma store and sidecar files (env ASSISTANT_INDEX; default ./index)")
    group.add_argument("--chroma-url", metavar="URL", default=argparse.SUPPRESS,
                       help="use a Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded store")
    group.add_argument("--llm", metavar="SPEC", default=argparse.SUPPRESS,
                       help="language model: local (default), gguf:PATH, openai:MODEL, none")
    group.add_argument("--embed", metavar="SPEC", default=argparse.SUPPRESS,
                       help="embedder: minilm (default, offline) or openai:MODEL")
    group.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="TOML settings file")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    return common


def filter_options() -> argparse.ArgumentParser:
    """Date/outlet filters shared by retrieve, ask, brief and chat."""
    filters = argparse.ArgumentParser(add_help=False)
    group = filters.add_argument_group("filters")
    group.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD)")
    group.add_argument("--until", metavar="DATE", help="only articles published on or before DATE")
    group.add_argument("--source", metavar="NAME", action="append", default=[],
                       help="only this outlet (repeatable; case-insensitive)")
    add_as_of(group)
    return filters


def add_as_of(group) -> None:
    """``--as-of DATE``: answer as if it were that day (retrieve, ask, brief, chat and eval)."""
    group.add_argument("--as-of", metavar="DATE", dest="as_of",
                       help="answer as if it were DATE: nothing published after it is read, and 'last week' or "
                            "'on Tuesday' count back from it (default today)")


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="assistant", parents=[common],
        description="News-intelligence assistant: ingest articles, then ask questions and write briefing notes "
                    "whose every sentence cites a verified passage.",
        epilog="Run 'assistant COMMAND --help' for a command's options. Docs: README.md.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    shared = {"common": common, "filters": filter_options()}
    for name in COMMANDS:
        module = importlib.import_module(f"assistant.cli.{name}")
        module.add_parser(sub, shared)
    return parser


def settings_from_args(args: argparse.Namespace, extra: dict[str, Any] | None = None):  # -> Settings
    """Load settings with the global flags applied on top of file and environment."""
    from ..core.settings import load_settings

    overrides = {
        "index": getattr(args, "index", None),
        "chroma_url": getattr(args, "chroma_url", None),
        "llm.spec": getattr(args, "llm", None),
        "embed.model": getattr(args, "embed", None),
        "retrieval.as_of": as_of_day(getattr(args, "as_of", None)),
    }
    overrides.update(extra or {})
    return load_settings(getattr(args, "config", None), overrides)


def as_of_day(text: str | None) -> str | None:
    """The ``--as-of`` day as YYYY-MM-DD; a clear one-line error when it is no date."""
    if not text:
        return None
    from ..core.errors import InputError
    from ..text.dates import parse_date

    iso = parse_date(text)
    if iso is None:
        raise InputError(f"--as-of {text!r} is not a date (use YYYY-MM-DD)")
    return iso[:10]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or bool(os.environ.get("ASSISTANT_DEBUG"))
    from ..core.errors import AssistantError

    try:
        return int(args.handler(args) or 0)
    except AssistantError as exc:
        if debug:
            raise
        print(f"assistant: error: {error_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nassistant: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def error_line(exc: Exception) -> str:
    """The error as one printable line, keys redacted: the last line of defence for text from outside
    (a file name, a server's reply) that made it into a message."""
    from ..core.sanitize import redact_secrets, strip_controls

    text = redact_secrets(strip_controls(str(exc)), [os.environ.get("OPENAI_API_KEY")])
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
