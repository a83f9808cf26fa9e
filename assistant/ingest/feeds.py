"""Feed sources: the list kept with the index, and a feed's text read into entries.

RSS 0.9x/1.0/2.0 and Atom through ``feedparser``; JSON Feed (1.0/1.1) is JSON, read with ``json``
(feedparser 6.0 does not read it). The list is one JSON file in the index folder, replaced
atomically, so a crash leaves it old or new and never half-written.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.sanitize import strip_controls
from .fetch import FetchError, Page, Validators

FILE = "feeds.json"
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 60.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_every(text: str) -> float:
    """'30m', '6h', '1d', '90s' (a bare number is minutes) as seconds."""
    match = _EVERY.match(text)
    if not match:
        raise InputError(f"cannot read the interval '{text}'", hint="use e.g. 90s, 30m, 6h or 1d")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class Feed:
    """A followed feed and its polling state."""

    url: str
    name: str = ""
    every_s: float = 1800.0
    etag: str = ""
    last_modified: str = ""
    next_due: float = 0.0
    failures: int = 0
    last_error: str = ""
    last_ok: float = 0.0

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


@dataclass
class Sources:
    """The feeds and the validators of every entry page fetched, as stored in ``feeds.json``."""

    path: Path
    feeds: list[Feed] = field(default_factory=list)
    pages: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, index: Path) -> Sources:
        path = Path(index) / FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the feed list {path}: {exc}") from None
        return cls(path, [Feed(**f) for f in data.get("feeds", [])], dict(data.get("pages", {})))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"feeds": [asdict(f) for f in self.feeds], "pages": self.pages}, indent=1),
                       encoding="utf-8")
        tmp.replace(self.path)

    def find(self, key: str) -> Feed | None:
        """A feed by its URL or name."""
        return next((f for f in self.feeds if key in (f.url, f.name)), None)

    def page_validators(self, url: str) -> Validators | None:
        known = self.pages.get(url)
        return Validators(known.get("etag", ""), known.get("last_modified", "")) if known else None

    def due(self, now: float | None = None) -> list[Feed]:
        now = time.time() if now is None else now
        return [f for f in self.feeds if f.next_due <= now]


def succeeded(feed: Feed, page: Page, now: float) -> None:
    if not page.unchanged:
        feed.etag, feed.last_modified = page.validators.etag, page.validators.last_modified
    feed.failures, feed.last_error, feed.last_ok = 0, "", now
    feed.next_due = now + feed.every_s


def failed(feed: Feed, reason: str, now: float, backoff_s: float, backoff_max_s: float) -> None:
    """Retry later, the wait doubling per consecutive failure (never past the feed's own interval's
    ceiling of ``backoff_max_s``)."""
    feed.failures += 1
    feed.last_error = reason
    feed.next_due = now + min(backoff_max_s, backoff_s * 2 ** (feed.failures - 1))


@dataclass(frozen=True)
class Entry:
    """One feed item: where its page is, and the feed's own text for it (the fallback)."""

    link: str
    title: str = ""
    published: str = ""
    author: str = ""
    text: str = ""


def read_feed(page: Page) -> tuple[str, list[Entry]]:
    """(feed title, entries) of a feed document; ``FetchError`` when it is not one or cannot be read."""
    if _looks_json(page):
        return _json_feed(page.body)
    import feedparser

    parsed = feedparser.parse(page.body, response_headers={"content-type": page.content_type or "application/xml"})
    entries = [e for e in map(_entry, parsed.entries) if e.link or e.text]
    if not parsed.get("version") and not entries:
        raise FetchError("not a feed (no RSS, Atom or JSON Feed found)")
    if not entries and parsed.get("bozo"):  # broken XML is read as far as it goes; nothing usable is an error
        raise FetchError(f"malformed feed: {_first_line(parsed.get('bozo_exception'))}")
    return _clean(parsed.feed.get("title", "")), entries


def _looks_json(page: Page) -> bool:
    return "json" in page.content_type.lower() or page.body.lstrip()[:1] == b"{"


def _json_feed(body: bytes) -> tuple[str, list[Entry]]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"malformed JSON Feed: {_first_line(exc)}") from None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise FetchError("not a feed (JSON without a jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise FetchError("malformed JSON Feed: no 'items' list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        text = item.get("content_text") or html_text(str(item.get("content_html") or item.get("summary") or ""))
        entries.append(Entry(
            link=_clean(item.get("url") or item.get("external_url") or ""), title=_clean(item.get("title") or ""),
            published=_clean(item.get("date_published") or item.get("date_modified") or ""),
            author=", ".join(_clean(a.get("name", "")) for a in authors if isinstance(a, dict)), text=_clean(text),
        ))
    return _clean(data.get("title") or ""), [e for e in entries if e.link or e.text]


def _entry(raw: Any) -> Entry:  # raw: feedparser.FeedParserDict
    content = raw.get("content") or []
    html = content[0].get("value", "") if content else raw.get("summary", "")
    return Entry(
        link=_clean(raw.get("link", "")), title=_clean(raw.get("title", "")),
        published=_clean(raw.get("published") or raw.get("updated") or ""), author=_clean(raw.get("author", "")),
        text=_clean(html_text(html)),
    )


def html_text(markup: str) -> str:
    """The text of an HTML fragment (a feed's content or summary), paragraphs on their own lines."""
    if "<" not in markup:
        return markup
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # lxml raises several types for hopeless markup; the text is then the markup's own
        return re.sub(r"<[^>]+>", " ", markup)
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
        block.tail = "\n" + (block.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


def _clean(value: Any) -> str:
    return strip_controls(str(value)).strip()


def _first_line(exc: Any) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
