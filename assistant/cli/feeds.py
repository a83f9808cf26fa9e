"""``assistant feeds add|list|remove``: the feeds followed, kept with the index."""

from __future__ import annotations

import argparse
import json
import time


def add_parser(sub, shared) -> None:
    p = sub.add_parser("feeds", parents=[shared["common"]], help="follow RSS, Atom and JSON feeds",
                       description="add: follow a feed (RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed), polled by "
                                   "'assistant fetch' every --every. list: the feeds with their state. "
                                   "remove: stop following one (by URL or name); its articles stay in the index.",
                       epilog="example: assistant feeds add https://example.org/rss.xml --name Example --every 30m")
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("feed", nargs="?", metavar="URL|NAME", help="the feed's URL (add) or URL or name (remove)")
    p.add_argument("--name", help="the outlet name its articles get (default: the feed's own title)")
    p.add_argument("--every", metavar="INTERVAL", help="polling interval: 90s, 30m, 6h, 1d (default fetch.every_s)")
    p.add_argument("--json", action="store_true", help="machine-readable output (list)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.errors import InputError
    from ..ingest.feeds import Feed, Sources, parse_every
    from .main import settings_from_args

    settings = settings_from_args(args)
    sources = Sources.load(settings.index)
    if args.action == "list":
        return _list(sources, args.json)
    if not args.feed:
        raise InputError(f"feeds {args.action} needs a feed", hint=f"assistant feeds {args.action} URL")
    if args.action == "remove":
        feed = sources.find(args.feed)
        if feed is None:
            raise InputError(f"no such feed: {args.feed}", hint="see 'assistant feeds list'")
        sources.feeds.remove(feed)
        sources.save()
        print(f"removed {feed.url}")
        return 0
    if not args.feed.startswith(("http://", "https://")):
        raise InputError(f"not an http(s) URL: {args.feed}")
    every = parse_every(args.every) if args.every else settings.fetch.every_s
    known = sources.find(args.feed)
    if known is not None:
        known.name, known.every_s = args.name or known.name, every
    else:
        sources.feeds.append(Feed(url=args.feed, name=args.name or "", every_s=every))
    sources.save()
    print(f"{'updated' if known else 'following'} {args.feed} every {every / 60:g} min; "
          f"'assistant fetch' polls it")
    return 0


def _list(sources, as_json: bool) -> int:
    from dataclasses import asdict

    from ..core.sanitize import strip_controls

    now = time.time()
    for feed in sources.feeds:
        if as_json:
            print(json.dumps(asdict(feed)))
            continue
        due = "due now" if feed.next_due <= now else f"due in {(feed.next_due - now) / 60:.0f} min"
        state = f"failing x{feed.failures}: {feed.last_error}" if feed.failures else "ok"
        print(f"{strip_controls(feed.name or '-')[:24]:24}  every {feed.every_s / 60:g} min, {due}, {state}  {feed.url}")
    if not sources.feeds and not as_json:
        print("no feeds yet: assistant feeds add URL")
    return 0
