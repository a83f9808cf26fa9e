"""From the web to articles: the due feeds polled, their entries' pages fetched and extracted, and
URLs given to ``ingest`` (an article page, a feed, a sitemap) read.

Every item becomes an ``Article`` or a ``Skipped`` and goes through ``pipeline.ingest_articles``.
The feed list's state (validators, next due times, failures) is saved only after the articles it
describes are committed, so a run killed at any point is redone in full by the next one, which the
pipeline's dedup turns into "unchanged" for what had been written.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..core.article import Article
from ..core.settings import Settings
from .feeds import Entry, Feed, Sources, failed, read_feed, succeeded
from .fetch import FetchError, Fetcher, Page
from .loaders import Skipped, article_from_record
from .pipeline import IngestReport, ingest_articles
from .sitemaps import is_sitemap, read_sitemap

_SITEMAP_DEPTH = 3  # a sitemap index of sitemap indexes of sitemaps, as the protocol allows


@dataclass
class FeedResult:
    url: str
    name: str
    status: str  # "ok", "unchanged" (304) or "failed"
    entries: int = 0
    reason: str = ""
    retry_in_s: float = 0.0


@dataclass
class FetchReport:
    """What a ``fetch`` did; ``to_json`` is the ``--json`` contract."""

    feeds: list[FeedResult] = field(default_factory=list)
    not_modified: int = 0
    from_feed_text: int = 0
    requests: int = 0
    fetch_seconds: float = 0.0
    ingest: IngestReport = field(default_factory=IngestReport)

    def to_json(self) -> dict:
        return {**self.ingest.to_json(), "unchanged": self.ingest.unchanged + self.not_modified,
                "from_feed_text": self.from_feed_text, "requests": self.requests,
                "feeds": [vars(f) for f in self.feeds]}


@dataclass(frozen=True)
class _Got:
    """One entry's outcome: its article (or why not, or None when its page is unchanged), whether the
    feed's own text stood in for the page, and the page's validators to send next time."""

    link: str
    item: Article | Skipped | None
    from_feed_text: bool = False
    validators: dict[str, str] | None = None


def fetch_feeds(settings: Settings, force: bool = False, progress: bool | None = None) -> FetchReport:
    """Poll the feeds that are due (all with ``force``), ingest what is new, and record when to come back."""
    show = sys.stderr.isatty() if progress is None else progress
    sources = Sources.load(Path(settings.index))
    report = FetchReport()
    now = time.time()
    feeds = sources.feeds if force else sources.due(now)
    started = time.perf_counter()
    with Fetcher(settings.fetch) as fetcher, ThreadPoolExecutor(settings.fetch.workers) as pool:
        polled = list(pool.map(lambda f: _poll(fetcher, f), feeds))
        jobs = [(feed, entry) for feed, (_, entries) in zip(feeds, polled) for entry in entries]
        with _bar(len(jobs), show, "fetch") as bar:
            got = list(pool.map(lambda job: _tick(bar, _entry(fetcher, sources, job[1], job[0].name, settings)), jobs))
        report.requests = fetcher.requests
    report.fetch_seconds = time.perf_counter() - started
    report.not_modified = sum(1 for g in got if g.item is None)
    report.from_feed_text = sum(1 for g in got if g.from_feed_text)
    articles = [g.item for g in got if g.item is not None]
    if articles:
        report.ingest = ingest_articles(articles, settings, progress=show)
    _record(sources, settings, feeds, polled, got, report, now)
    return report


def _poll(fetcher: Fetcher, feed: Feed) -> tuple[Page | str, list[Entry]]:
    """The feed's response (or why there is none) and its entries (none when unchanged or failed)."""
    try:
        page = fetcher.get(feed.url, feed.validators, check_robots=False)  # the user chose to follow it
        if page.unchanged:
            return page, []
        title, entries = read_feed(page)
    except FetchError as exc:
        return str(exc), []
    if not feed.name:
        feed.name = title
    return page, entries


def _record(sources: Sources, settings: Settings, feeds: list[Feed], polled, got: list[_Got],
            report: FetchReport, now: float) -> None:
    """Each feed's outcome and the pages' validators, saved once the articles are committed; a page
    whose article was skipped keeps no validators, so it is looked at afresh next time."""
    for feed, (page, entries) in zip(feeds, polled):
        if isinstance(page, str):
            failed(feed, page, now, settings.fetch.backoff_s, settings.fetch.backoff_max_s)
            report.feeds.append(FeedResult(feed.url, feed.name, "failed", reason=page,
                                           retry_in_s=round(feed.next_due - now)))
        else:
            succeeded(feed, page, now)
            report.feeds.append(FeedResult(feed.url, feed.name, "unchanged" if page.unchanged else "ok", len(entries)))
    skipped = {s.path for s in report.ingest.skipped}
    fresh = Sources.load(sources.path.parent)  # feeds added or removed meanwhile stay so
    for feed in feeds:
        kept = fresh.find(feed.url)
        if kept is not None:
            fresh.feeds[fresh.feeds.index(kept)] = feed
    for g in got:
        if g.validators and isinstance(g.item, Article) and g.link not in skipped:
            fresh.pages[g.link] = g.validators
    fresh.save()


def _entry(fetcher: Fetcher, sources: Sources, entry: Entry, outlet: str, settings: Settings) -> _Got:
    """An entry's article from its page, or from the feed's text when the page cannot be had."""
    if not entry.link:
        return _Got("", _from_entry(entry, outlet, entry.title or "(feed entry without a link)"), True)
    try:
        page = fetcher.get(entry.link, sources.page_validators(entry.link))
    except FetchError as exc:
        return _Got(entry.link, _fallback(entry, outlet, str(exc)), True)
    if page.unchanged:
        return _Got(entry.link, None)
    validators = {"etag": page.validators.etag, "last_modified": page.validators.last_modified}
    article = article_from_page(page, entry, outlet)
    if isinstance(article, Skipped) or len(article.body) < max(settings.ingest.min_body_chars, len(entry.text) // 2):
        reason = article.reason if isinstance(article, Skipped) else "the page's main text is shorter than the feed's"
        return _Got(entry.link, _fallback(entry, outlet, reason), True, validators)
    return _Got(entry.link, article, False, validators)


def _fallback(entry: Entry, outlet: str, reason: str) -> Article | Skipped:
    if not entry.text:
        return Skipped(entry.link, f"page: {reason}; the feed has no text for it")
    return _from_entry(entry, outlet, entry.link)


def _from_entry(entry: Entry, outlet: str, where: str) -> Article | Skipped:
    record = {"title": entry.title, "body": entry.text, "source": outlet, "author": entry.author,
              "date": entry.published, "url": entry.link}
    return article_from_record(record, where)


def article_from_page(page: Page, entry: Entry | None = None, outlet: str = "") -> Article | Skipped:
    """The main text of an HTML page (trafilatura), with the feed entry's title, date and author first."""
    where = entry.link if entry and entry.link else page.url
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and "html" not in kind and kind != "text/plain":
        return Skipped(where, f"not an HTML page (content type {kind})")
    import trafilatura

    doc = trafilatura.bare_extraction(page.text, url=page.url, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    if doc is None:
        return Skipped(where, "no article text found in the page")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    entry = entry or Entry(link=page.url)
    record = {"title": entry.title or data.get("title"), "body": data.get("text"),
              "author": entry.author or data.get("author"),
              "source": outlet or data.get("sitename") or data.get("hostname"),
              "date": entry.published or data.get("date"), "url": entry.link or page.url,
              "category": ", ".join(data.get("categories") or [])}
    return article_from_record(record, where)


def fetch_urls(urls: Iterable[str], settings: Settings) -> list[Article | Skipped]:
    """What ``ingest https://...`` reads: each URL an article page, a feed's entries or a sitemap's pages."""
    out: list[Article | Skipped] = []
    with Fetcher(settings.fetch) as fetcher, ThreadPoolExecutor(settings.fetch.workers) as pool:
        for url in urls:
            out.extend(_read_url(fetcher, pool, url, settings, _SITEMAP_DEPTH))
    return out


def _read_url(fetcher: Fetcher, pool: ThreadPoolExecutor, url: str, settings: Settings,
              depth: int) -> list[Article | Skipped]:
    try:
        page = fetcher.get(url)
        if is_sitemap(page):
            return _sitemap(fetcher, pool, page, settings, depth)
        if _feedish(page):
            title, entries = read_feed(page)
            sources = Sources(Path(settings.index))
            return [g.item for g in pool.map(lambda e: _entry(fetcher, sources, e, title, settings), entries)
                    if g.item is not None]
    except FetchError as exc:
        return [Skipped(url, str(exc))]
    return [article_from_page(page)]


def _sitemap(fetcher: Fetcher, pool: ThreadPoolExecutor, page: Page, settings: Settings,
             depth: int) -> list[Article | Skipped]:
    pages, nested = read_sitemap(page)
    out: list[Article | Skipped] = []
    for child in nested[:settings.fetch.max_sitemap_urls]:
        if depth <= 1:
            out.append(Skipped(child, "sitemap nested too deeply"))
            continue
        out.extend(_read_url(fetcher, pool, child, settings, depth - 1))
    cap = settings.fetch.max_sitemap_urls
    if len(pages) > cap:
        out.append(Skipped(page.url, f"sitemap lists {len(pages)} pages; read the first {cap} (fetch.max_sitemap_urls)"))
    out.extend(pool.map(lambda u: _page_article(fetcher, u), pages[:cap]))
    return out


def _page_article(fetcher: Fetcher, url: str) -> Article | Skipped:
    try:
        return article_from_page(fetcher.get(url))
    except FetchError as exc:
        return Skipped(url, str(exc))


def _feedish(page: Page) -> bool:
    kind = page.content_type.lower()
    if "html" in kind:
        return False
    head = page.body[:1024].lstrip().lower()
    return any(k in kind for k in ("rss", "atom", "json", "xml")) or head.startswith((b"<?xml", b"<rss", b"<feed", b"{"))


def _tick(bar, value):
    bar.update(1)
    return value


def _bar(total: int, show: bool, desc: str):  # -> tqdm.tqdm
    from tqdm import tqdm

    return tqdm(total=total, unit="entry", desc=desc, disable=not show, file=sys.stderr, dynamic_ncols=True)
