"""``make bench-fetch``: 500 feed entries from a loopback site into a fresh index.

The site (bench/newsroom.py, 127.0.0.1 only) serves one RSS feed of 500 entries and each entry's
page, built from the first 500 MultiHop-RAG articles (the feed carries 400-character summaries). Prints entries/s for fetching and extracting
separately from embedding and writing, the peak RSS, and two unchanged second fetches: the feed
answering 304 (nothing else asked for), and the feed changed but every page answering 304
(conditional GETs only); both as a share of the first fetch's time (target <= 2%).

    python -m bench.bench_fetch [--corpus evals/data/corpus.json] [--entries 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from assistant.core.settings import load_settings
from assistant.ingest.feeds import Feed, Sources
from assistant.ingest.web import fetch_feeds
from assistant.text.dates import to_timestamp
from bench.newsroom import Newsroom, Route, Story, publish, rss

SUMMARY = 400  # characters of each entry's text in the feed, as feeds carry summaries (the pages the whole text)


def stories(corpus: Path, n: int) -> list[Story]:
    rows = json.loads(corpus.read_text())[:n]
    return [Story(f"a{i}", r["title"], r["body"], float(to_timestamp(r["published_at"]) or 1.7e9), r.get("author") or "")
            for i, r in enumerate(rows)]


def _fetch(settings, label: str) -> tuple[float, object]:
    started = time.perf_counter()
    report = fetch_feeds(settings, force=True, progress=False)
    seconds = time.perf_counter() - started
    for feed in report.feeds:
        if feed.status == "failed":
            print(f"feed failed: {feed.reason}")
    print(f"{label}: {seconds:.2f} s, {report.requests} requests, {report.ingest.added} added, "
          f"{report.ingest.unchanged + report.not_modified} unchanged, {len(report.ingest.skipped)} skipped, "
          f"{report.from_feed_text} from feed text")
    return seconds, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("evals/data/corpus.json"))
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()
    items = stories(args.corpus, args.entries)
    with Newsroom() as site, tempfile.TemporaryDirectory() as tmp:
        publish(site, items)
        site.add("/feed.xml", Route(rss(site, items, summary_chars=SUMMARY), "application/rss+xml"))
        settings = load_settings(overrides={"index": str(Path(tmp) / "index")})
        sources = Sources.load(settings.index)
        sources.feeds.append(Feed(site.url("/feed.xml"), "Loopback News"))
        sources.save()
        first, report = _fetch(settings, "first fetch")
        pages = len(items)
        embed = report.ingest.embed_seconds
        print(f"fetch + extraction: {pages} entries in {report.fetch_seconds:.1f} s = "
              f"{pages / report.fetch_seconds:.1f} entries/s (fetch.workers={settings.fetch.workers}, "
              f"per_host={settings.fetch.per_host})")
        print(f"embedding: {report.ingest.chunks} chunks in {embed:.1f} s = {report.ingest.chunks / max(embed, 1e-9):.1f} "
              f"chunks/s, {pages / max(embed, 1e-9):.1f} entries/s; whole ingest {report.ingest.seconds:.1f} s")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        before = site.conditional
        second, _ = _fetch(settings, "second fetch, feed unchanged (304)")
        site.add("/feed.xml", Route(rss(site, items, "Loopback News (edited)", SUMMARY), "application/rss+xml"))
        third, _ = _fetch(settings, "second fetch, feed changed, pages unchanged")
        print(f"conditional GETs answered 304: {site.conditional - before}")
        print(f"unchanged second fetch: {100 * second / first:.2f}% of the first (feed 304), "
              f"{100 * third / first:.2f}% (every page 304); target <= 2%")


if __name__ == "__main__":
    main()
