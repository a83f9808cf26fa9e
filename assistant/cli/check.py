"""``assistant check DRAFT``: every sentence of a draft searched in the index and verified (exit 3 if any fails)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NOT_ALL_SUPPORTED = 3


def add_parser(sub, shared) -> None:
    p = sub.add_parser("check", parents=[shared["common"], shared["filters"]],
                       help="fact-check a draft against the indexed articles",
                       description="Splits a draft (.md or .txt, or - for stdin) into sentences, retrieves passages "
                                   "for each and verifies it: supported (with the passage), contradicted (a passage "
                                   "about the same thing says another number, name, date, or the opposite) or not "
                                   "found. Exit code 0 when every sentence is supported, 3 when any is not.",
                       epilog="example: assistant check draft.md --format html > check.html")
    p.add_argument("draft", help="the draft file, or - to read stdin")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--format", choices=["markdown", "json", "html"], default="markdown",
                   help="output format (default: markdown, for a terminal)")
    p.add_argument("--k", type=int, default=None, help="passages per sentence (default: check.passages = 5)")
    p.set_defaults(handler=run)


def read_draft(path: str) -> str:
    from ..core.errors import InputError

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the draft ({exc.__class__.__name__})") from None
    if not text.strip():
        raise InputError(f"{path}: the draft is empty")
    return text


def run(args: argparse.Namespace) -> int:
    from ..core.errors import InputError
    from ..grounding.draft import check_draft
    from ..grounding.draft_render import to_html, to_json, to_markdown
    from ..grounding.verifier import make_verifier
    from ..retrieve.retriever import Retriever
    from .main import settings_from_args

    text = read_draft(args.draft)
    settings = settings_from_args(args)
    retriever = Retriever(settings)
    filters = retriever.filters(args.since, args.until, args.source)
    verifier = make_verifier(settings, retriever.embedder, learned=True)
    checks = check_draft(text, retriever, verifier, args.k or settings.check.passages,
                         settings.check.same_topic_similarity, filters)
    if not checks:
        raise InputError(f"{args.draft}: no sentence with words to check")
    render = {"markdown": to_markdown, "json": to_json, "html": to_html}["json" if args.json else args.format]
    out = render(checks)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0 if all(c.status == "supported" for c in checks) else NOT_ALL_SUPPORTED
