"""``assistant brief``: not built yet."""

from __future__ import annotations

import argparse


def add_parser(sub, shared) -> None:
    p = sub.add_parser("brief", parents=[shared["common"]], help="(coming soon)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    raise InputError("'brief' is not available yet")
