"""``assistant chat``: not built yet."""

from __future__ import annotations

import argparse


def add_parser(sub, shared) -> None:
    p = sub.add_parser("chat", parents=[shared["common"]], help="(coming soon)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    raise InputError("'chat' is not available yet")
