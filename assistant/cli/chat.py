"""``assistant chat``: the grounded multi-turn REPL (library: ``assistant.chat``)."""

from __future__ import annotations

import argparse


def add_parser(sub, shared) -> None:
    p = sub.add_parser(
        "chat", parents=[shared["common"], shared["filters"]], help="chat with the index (REPL)",
        description="Multi-turn grounded chat: follow-ups are rewritten into standalone questions, answers "
                    "stream and cite verified passages. Commands inside: /help, /sources, /open N, "
                    "/brief TOPIC, /filter, /clear, /save FILE, /llm SPEC, /quit. From a pipe it answers "
                    "one question per line. Line history is kept in $ASSISTANT_CHAT_HISTORY "
                    "(default ~/.local/share/news-assistant/chat_history).",
        epilog="example: assistant chat --source 'The Verge' --since 2023-10-01",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..chat.filter_spec import FilterSpec
    from ..chat.repl import start_chat
    from .main import settings_from_args

    settings = settings_from_args(args)
    spec = FilterSpec(args.since, args.until, tuple(args.source or ()))
    return start_chat(settings, spec)
