"""``assistant ingest PATH...``: load, dedup, chunk, embed and store articles."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub, shared) -> None:
    p = sub.add_parser("ingest", parents=[shared["common"]], help="add articles (files, folders or URLs) to the index",
                       description="Load .txt/.md/.html/.json/.jsonl articles (folders recursively) and http(s) URLs "
                                   "(an article page, a feed or a sitemap.xml), skip duplicates "
                                   "and unchanged articles, and store chunks in the index. Safe to interrupt and rerun.",
                       epilog="example: assistant ingest evals/data/corpus.json ~/news/ https://example.org/sitemap.xml")
    p.add_argument("paths", nargs="+", metavar="PATH|URL", help="files, folders or http(s) URLs to ingest")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .main import settings_from_args

    settings = settings_from_args(args)
    report = _ingest(args.paths, settings, False if args.no_progress else None)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        for skip in report.skipped:
            print(f"skipped {skip.path}: {skip.reason}", file=sys.stderr)
        rate = report.chunks / report.seconds if report.seconds else 0.0
        print(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
              f"{len(report.skipped)} skipped; {report.chunks} chunks embedded in {report.seconds:.1f} s "
              f"({rate:.1f} chunks/s) into {settings.chroma_url or settings.index}")
    if report.usable == 0:
        if not args.json:
            print("assistant: error: nothing usable was ingested (see the reasons above)", file=sys.stderr)
        return 1
    return 0


def _ingest(sources: list[str], settings, progress: bool | None):  # -> ingest.pipeline.IngestReport
    """Files and folders through ``ingest``, URLs fetched and through ``ingest_articles``; one report."""
    from ..ingest.pipeline import ingest, ingest_articles

    urls = [s for s in sources if s.startswith(("http://", "https://"))]
    paths = [s for s in sources if s not in urls]
    reports = [ingest(paths, settings, progress=progress)] if paths else []
    if urls:
        from ..ingest.web import fetch_urls

        reports.append(ingest_articles(fetch_urls(urls, settings), settings, progress=progress))
    total = reports[0]
    for more in reports[1:]:
        total.added, total.updated, total.unchanged = (total.added + more.added, total.updated + more.updated,
                                                       total.unchanged + more.unchanged)
        total.skipped += more.skipped
        total.chunks, total.seconds = total.chunks + more.chunks, total.seconds + more.seconds
    return total
