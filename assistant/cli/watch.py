"""``assistant watch TOPIC``: fetch, then a briefing on what is new since last time, on a schedule."""

from __future__ import annotations

import argparse
import sys
import time


def add_parser(sub, shared) -> None:
    p = sub.add_parser("watch", parents=[shared["common"]], help="fetch and write a briefing on a schedule",
                       description="Poll the due feeds, then write a briefing note on TOPIC into --out as "
                                   "TOPIC-DATE.md/.html/.json: first what is new since the previous note (the articles "
                                   "it had not seen), then the standing note. Runs every --every in the foreground "
                                   "until stopped, or once with --once (for cron).",
                       epilog='example (crontab): 0 */6 * * * assistant --index ~/news-index watch "energy prices" '
                              '--out ~/briefs --once --no-progress')
    p.add_argument("topic", help="what the notes are about")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the notes and the watch state")
    p.add_argument("--every", default="6h", metavar="INTERVAL", help="time between runs: 30m, 6h, 1d (default 6h)")
    p.add_argument("--once", action="store_true", help="one run, then exit (for cron)")
    p.add_argument("--no-fetch", action="store_true", help="brief on the index as it is; do not poll the feeds")
    p.add_argument("--articles", type=int, default=8, metavar="N", help="most articles per note (default 8)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars even on a terminal")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..brief.watch import watch_once
    from ..ingest.feeds import parse_every
    from ..llm import make_llm
    from .main import settings_from_args

    settings = settings_from_args(args)
    every = parse_every(args.every)
    llm = make_llm(settings)  # loaded once for every run
    while True:
        started = time.monotonic()
        result = watch_once(args.topic, Path(args.out), settings, llm=llm, fetch=not args.no_fetch,
                            n_articles=args.articles, progress=False if args.no_progress else None)
        if result.fetch is not None:
            from .fetch import print_summary

            print_summary(result.fetch)
        print(f"{result.new_articles} new articles on the topic; wrote " + ", ".join(str(f) for f in result.files),
              file=sys.stderr)
        if args.once:
            return 0
        time.sleep(max(0.0, every - (time.monotonic() - started)))
