"""``assistant config show``: the effective settings, with where each can be set."""

from __future__ import annotations

import argparse


def add_parser(sub, shared) -> None:
    p = sub.add_parser("config", parents=[shared["common"]], help="show the effective settings",
                       description="Settings load in this order, later wins: defaults, the TOML file "
                                   "(--config or ASSISTANT_CONFIG), environment (ASSISTANT_INDEX, ASSISTANT_CHROMA_URL, "
                                   "ASSISTANT_LLM, ASSISTANT_EMBED), command-line flags.")
    p.add_argument("action", choices=["show"], help="show: print every setting with its description")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.settings import describe
    from .main import settings_from_args

    print(describe(settings_from_args(args)))
    return 0
