"""``assistant brief TOPIC``: a briefing note on a topic, every line citing verified passages."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FORMATS = ("md", "html", "json")
_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def add_parser(sub, shared) -> None:
    p = sub.add_parser(
        "brief", parents=[shared["common"], shared["filters"]], help="write a briefing note on a topic",
        description="Select the articles most relevant to TOPIC, take per-article notes (map), then write the "
                    "sections (reduce): bottom line, key developments, actors, quotes, timeline, where sources "
                    "differ, open questions and sources. Every line cites passages and passes the verifier; "
                    "unsupported lines are dropped. --llm none writes an extractive note.",
        epilog='example: assistant brief "EU-India defence partnership" --since 2025-01-01 --format html -o brief.html')
    p.add_argument("topic", help="what the note is about")
    p.add_argument("--articles", type=int, default=8, metavar="N", help="most articles to use (default 8)")
    p.add_argument("--words", type=int, metavar="N",
                   help="length of the standard note (bottom line + key developments) in words; default: it grows "
                        "with the number of articles (about 120 for one, up to 250 for several)")
    p.add_argument("--format", choices=FORMATS, help="md (default), html or json; with -o, taken from the file's suffix")
    p.add_argument("-o", "--output", action="append", default=[], metavar="FILE",
                   help="write to FILE instead of stdout (repeatable: one run, several formats)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(handler=run)


def output_format(path: str | None, explicit: str | None) -> str:
    if explicit:
        return explicit
    if path:
        return _SUFFIXES.get(Path(path).suffix.lower(), "md")
    return "md"


def render(brief, fmt: str) -> str:
    from ..brief.render import brief_to_html, brief_to_json, brief_to_markdown

    if fmt == "json":
        return json.dumps(brief_to_json(brief), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return brief_to_html(brief)
    return brief_to_markdown(brief)


def run(args: argparse.Namespace) -> int:
    from ..brief.writer import write_brief
    from ..core.errors import InputError
    from .main import settings_from_args

    if args.format and len(args.output) > 1:
        raise InputError("--format applies to one output; with several -o files the suffix picks each format")
    settings = settings_from_args(args, {"brief.words": args.words} if args.words is not None else None)
    brief = write_brief(args.topic, settings, since=args.since, until=args.until, sources=args.source,
                        n_articles=args.articles, progress=False if args.no_progress else None)
    for problem in brief.problems:
        where = problem.get("title") or problem.get("article_id") or "article"
        print(f"assistant: warning: {where}: {problem['reason']}", file=sys.stderr)
    if not args.output:
        sys.stdout.write(render(brief, output_format(None, args.format)))
        return 0
    for path in args.output:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(brief, output_format(path, args.format)), encoding="utf-8")
        stats = brief.stats
        print(f"wrote {target}: {stats['bullets']} lines from {stats['articles']} articles "
              f"({stats['dropped']} dropped by the verifier)", file=sys.stderr)
    return 0
