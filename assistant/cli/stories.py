"""``assistant stories``: the index's articles grouped into stories and event clusters."""

from __future__ import annotations

import argparse
import json


def add_parser(sub, shared) -> None:
    p = sub.add_parser("stories", parents=[shared["common"]], help="stories and event clusters in the index",
                       description="Syndicated copies and near-duplicates share one story; stories about the same "
                                   "event within stories.cluster_days share a cluster. Lists the clusters, latest "
                                   "first, with their sizes, outlets and first/last dates.",
                       epilog="example: assistant stories --since 2025-12-01 --json")
    p.add_argument("--since", metavar="DATE", help="only clusters with an article on or after DATE (YYYY-MM-DD)")
    p.add_argument("--min-size", type=int, default=1, metavar="N", help="only clusters of at least N articles")
    p.add_argument("--json", action="store_true", help="print the clusters as one JSON list")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.errors import EmptyIndexError
    from ..core.sanitize import strip_controls
    from ..index.store import Store
    from ..index.story_book import cluster_rows, refresh_stories
    from ..text.dates import read_date
    from .main import settings_from_args

    settings = settings_from_args(args)
    store = Store(settings)
    if not store.states():
        raise EmptyIndexError(f"the index at {settings.chroma_url or settings.index} has no articles yet",
                              hint="run 'assistant ingest PATH' or 'assistant fetch' first")
    since = _day(args.since, read_date) if args.since else ""
    rows = [c for c in cluster_rows(refresh_stories(store, settings), since) if c["size"] >= args.min_size]
    if args.json:
        print(json.dumps(rows))
        return 0
    for c in rows:
        span = c["first"] if c["first"] == c["last"] else f"{c['first']}..{c['last']}"
        outlets = ", ".join(strip_controls(o) for o in c["outlets"][:4]) + (" …" if len(c["outlets"]) > 4 else "")
        print(f"{span or '(undated)':22}  {c['size']:3d} articles, {c['stories']:3d} stories  "
              f"{strip_controls(c['title'])[:70]}  [{outlets}]")
    return 0


def _day(text: str, read_date) -> str:
    from ..core.errors import InputError

    try:
        return read_date(text)[:10]
    except ValueError as exc:
        raise InputError(f"--since: {exc}") from None
