"""Turn files into articles: .txt/.md, .html, .json (one article or a list), .jsonl.

Every problem becomes a ``Skipped`` with the path and a one-line reason; one bad item never
stops the others.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.article import Article
from ..text.dates import parse_date, split_date_line

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}

_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "body": ("body", "text", "content", "article", "maintext"),
    "source": ("source", "outlet", "publisher", "site", "sitename", "site_name"),
    "author": ("author", "authors", "byline", "by"),
    "published_at": ("published_at", "published", "date", "publish_date", "pubdate", "datetime", "date_publish"),
    "url": ("url", "link", "canonical_url"),
    "category": ("category", "section", "categories"),
}


@dataclass(frozen=True)
class Skipped:
    """An input that could not be used, and why (the ``--json`` contract's ``{"path","reason"}``)."""

    path: str
    reason: str


def discover(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Expand files and folders (recursively, hidden entries ignored) in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        elif path.is_file():
            yield path
        else:
            yield Skipped(str(path), "no such file or folder")


def load_path(path: Path, max_bytes: int) -> Iterator[Article | Skipped]:
    """Load every article in one file; problems are yielded as ``Skipped``."""
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield Skipped(where, f"unsupported file type '{suffix or path.name}' (use .txt, .md, .html, .json or .jsonl)")
        return
    try:
        size = path.stat().st_size
        if size == 0:
            yield Skipped(where, "empty file")
            return
        if size > max_bytes:
            yield Skipped(where, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB cap (ingest.max_file_mb)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Skipped(where, f"cannot read: {exc.strerror or exc}")
        return
    if b"\x00" in data[:8192]:
        yield Skipped(where, "binary file, not text")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Skipped(where, f"not UTF-8 text (bad byte at offset {exc.start})")
        return
    if not text.strip():
        yield Skipped(where, "empty file (only whitespace)")
        return
    if suffix in (".json",):
        yield from _from_json(text, where)
    elif suffix == ".jsonl":
        yield from _from_jsonl(text, where)
    elif suffix in (".html", ".htm"):
        yield _checked(_from_html(text, where), where)
    else:
        yield _checked(_from_text(text, where), where)


def _checked(item: Article | Skipped, where: str) -> Article | Skipped:
    if isinstance(item, Article) and not item.body.strip():
        return Skipped(where, "article has no body text")
    return item


def _first(record: dict[str, Any], key: str) -> str:
    for name in _FIELDS[key]:
        value = record.get(name)
        if value in (None, "", [], "None", "null"):
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if v)
        if isinstance(value, dict):
            value = value.get("name") or value.get("title") or ""
        return str(value).strip()
    return ""


def article_from_record(record: Any, where: str) -> Article | Skipped:
    """Map a JSON object with common field names (MultiHop-RAG's among them) to an Article."""
    if not isinstance(record, dict):
        return Skipped(where, f"expected a JSON object for an article, got {type(record).__name__}")
    body = _first(record, "body")
    title = _first(record, "title")
    if not body:
        return Skipped(where, "article has no body text (expected a 'body', 'text' or 'content' field)")
    raw_date = _first(record, "published_at")
    published = parse_date(raw_date) if raw_date else ""
    if published is None:
        return Skipped(where, f"unparseable date '{raw_date}'")
    if not title:
        title = body.strip().split("\n", 1)[0][:120]
    return Article(
        title=title, body=body.strip(), source=_first(record, "source"), author=_first(record, "author"),
        published_at=published, url=_first(record, "url"), category=_first(record, "category"), path=where,
    )


def _from_json(text: str, where: str) -> Iterator[Article | Skipped]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Skipped(where, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, list):
        if not data:
            yield Skipped(where, "JSON list is empty")
        for i, record in enumerate(data):
            yield article_from_record(record, f"{where}[{i}]")
    else:
        yield article_from_record(data, where)


def _from_jsonl(text: str, where: str) -> Iterator[Article | Skipped]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(f"{where}:{lineno}", f"malformed JSON at line {lineno}, column {exc.colno}: {exc.msg}")
            continue
        yield article_from_record(record, f"{where}:{lineno}")


_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n", re.DOTALL)
_HEADER = re.compile(r"^(?P<key>title|source|outlet|author|by|url|link|date|published|category)\s*:\s*(?P<value>.+)$", re.I)


def _from_text(text: str, where: str) -> Article | Skipped:
    """Plain text or Markdown: front matter or ``Key: value`` header lines, title from the first line."""
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group("meta").splitlines():
            if ":" in line:
                key, value = line.split(":", 1)
                meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[match.end():]
    lines = text.strip().splitlines()
    if "title" not in meta and lines:
        meta["title"] = re.sub(r"^#+\s*", "", lines.pop(0)).strip()
    while lines and (not lines[0].strip() or _HEADER.match(lines[0].strip())):
        header = _HEADER.match(lines.pop(0).strip())
        if header:
            meta.setdefault(header.group("key").lower(), header.group("value").strip())
    body = "\n".join(lines).strip()
    if "date" not in meta and "published" not in meta and body:
        found, rest = split_date_line(body)
        if found:
            meta["date"] = found
            body = rest.strip()
    meta["body"] = body
    return article_from_record(meta, where)


def _from_html(text: str, where: str) -> Article | Skipped:
    """Main text via trafilatura; title, date, author, outlet and URL from meta tags."""
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, favor_precision=True)
    if doc is None:
        return Skipped(where, "no article text found in the HTML")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    record = {
        "title": data.get("title"), "body": data.get("text"), "author": data.get("author"),
        "source": data.get("sitename") or data.get("hostname"), "date": data.get("date"),
        "url": data.get("url"), "category": ", ".join(data.get("categories") or []),
    }
    return article_from_record(record, where)
