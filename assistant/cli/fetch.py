"""``assistant fetch``: poll the feeds that are due and ingest what is new."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub, shared) -> None:
    p = sub.add_parser("fetch", parents=[shared["common"]], help="poll the followed feeds and ingest new articles",
                       description="Poll the feeds that are due (see 'assistant feeds'), fetch each new entry's page "
                                   "(conditional GET, robots.txt honoured), extract its text (the feed's own when "
                                   "the page cannot be had) and ingest it. A failing feed is reported and retried "
                                   "later with backoff. Safe to interrupt and rerun.",
                       epilog="example: assistant fetch --json")
    p.add_argument("--all", action="store_true", help="poll every feed, due or not")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.errors import InputError
    from ..ingest.feeds import Sources
    from ..ingest.web import fetch_feeds
    from .main import settings_from_args

    settings = settings_from_args(args)
    if not Sources.load(settings.index).feeds:
        raise InputError("no feeds to fetch", hint="assistant feeds add URL")
    report = fetch_feeds(settings, force=args.all, progress=False if args.no_progress else None)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print_summary(report)
    if report.feeds and all(f.status == "failed" for f in report.feeds):
        if not args.json:
            print("assistant: error: every feed polled failed (see the reasons above)", file=sys.stderr)
        return 1
    return 0


def print_summary(report) -> None:  # report: ingest.web.FetchReport
    from ..core.sanitize import strip_controls

    for feed in report.feeds:
        if feed.status == "failed":
            print(f"feed {feed.url}: {strip_controls(feed.reason)} (retry in {feed.retry_in_s / 60:.0f} min)",
                  file=sys.stderr)
    for skip in report.ingest.skipped:
        print(f"skipped {skip.path}: {strip_controls(skip.reason)}", file=sys.stderr)
    ok = sum(1 for f in report.feeds if f.status != "failed")
    done = report.ingest
    print(f"{len(report.feeds)} feeds polled ({ok} ok, {len(report.feeds) - ok} failed), {report.requests} requests "
          f"in {report.fetch_seconds:.1f} s; {done.added} new, {done.updated} updated, "
          f"{done.unchanged + report.not_modified} unchanged, {len(done.skipped)} skipped; "
          f"{report.from_feed_text} from the feed's own text")
