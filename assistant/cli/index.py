"""``assistant index stats|list``: what the index holds."""

from __future__ import annotations

import argparse
import json


def add_parser(sub, shared) -> None:
    p = sub.add_parser("index", parents=[shared["common"]], help="index statistics and article list",
                       description="stats: articles, chunks, outlets, date range, disk size. list: every article "
                                   "with outlet and date, newest first. repair: delete chunks of no article's current version "
                                   "(left by ingests racing on one Chroma server; every ingest also does this first).",
                       epilog="example: assistant index stats --json")
    p.add_argument("action", choices=["stats", "list", "repair"])
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..core.sanitize import strip_controls
    from ..index.info import article_rows, index_stats
    from .main import settings_from_args

    settings = settings_from_args(args)
    if args.action == "repair":
        from ..ingest.pipeline import repair_index

        removed = repair_index(settings)
        print(json.dumps({"orphans_deleted": removed}) if args.json else f"{removed} orphaned chunks deleted")
        return 0
    if args.action == "stats":
        stats = index_stats(settings)
        if args.json:
            print(json.dumps(stats))
        else:
            first, last = stats["date_range"]
            print(f"index:     {stats['location']}\narticles:  {stats['articles']}\nchunks:    {stats['chunks']}\n"
                  f"outlets:   {len(stats['outlets'])}\ndates:     {first or '-'} to {last or '-'}\n"
                  f"disk:      {stats['disk_bytes'] / 1e6:.1f} MB\nembedder:  {stats['embedder']} "
                  f"(collection {stats['collection']})")
            for name, count in list(stats["outlets"].items())[:10]:
                print(f"  {count:5d}  {strip_controls(name)}")
        return 0
    rows = article_rows(settings)
    for row in rows:
        if args.json:
            print(json.dumps(row))
        else:
            date, source, title = (" ".join(strip_controls(row[k]).split()) for k in ("published_at", "source", "title"))
            print(f"{date[:10] or '----------'}  {source[:28]:28}  {title[:80]}")
    return 0
