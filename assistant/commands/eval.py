"""``assistant eval``: not built yet."""

from __future__ import annotations

import argparse


def add_parser(sub, shared) -> None:
    p = sub.add_parser("eval", parents=[shared["common"]], help="(coming soon)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError

    raise InputError("'eval' is not available yet")
