"""Turn files into articles: .txt/.md, .html, .json (one article or a list), .jsonl.

Every problem becomes a ``Skipped`` with the path and a one-line reason; one bad item never
stops the others.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.article import Article
from ..core.sanitize import strip_controls
from ..text.markers import strip_citation_marks
from ..text.dates import read_date, split_date_line

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
TOO_DEEP = "JSON nested too deeply to be an article"
"""Python's JSON parser recurses once per level and gives up past the interpreter's recursion limit."""

# Byte order marks, UTF-32's first: its little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

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
    """Expand files and folders (recursively, hidden entries ignored) in a stable order; a folder that
    cannot be listed is reported, not passed over."""
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            yield Skipped(str(path), _os_reason(path, exc))
            continue
        if not stat.S_ISDIR(mode):
            yield path
            continue
        unlisted: list[OSError] = []
        for root, dirs, files in os.walk(path, onerror=unlisted.append):
            yield from _unlisted(unlisted)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield Path(root) / name
        yield from _unlisted(unlisted)


def _unlisted(errors: list[OSError]) -> Iterator[Skipped]:
    """The folders ``os.walk`` could not list since last asked (it reports them through ``onerror``)."""
    while errors:
        exc = errors.pop(0)
        yield Skipped(str(exc.filename), f"cannot read folder: {exc.strerror or exc}")


def _os_reason(path: Path, exc: OSError) -> str:
    """What a failed stat or read means for the user: a loop and a dangling link are named as such."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return f"broken symlink (to {os.readlink(path)})" if path.is_symlink() else "no such file or folder"
    return f"cannot read: {exc.strerror or exc}"


def load_path(path: Path, max_bytes: int) -> Iterator[Article | Skipped]:
    """Load every article in one file; problems are yielded as ``Skipped``."""
    where = str(path)
    text = _read_text(path, max_bytes)
    if isinstance(text, Skipped):
        yield text
        return
    suffix = path.suffix.lower()
    if suffix in (".json",):
        yield from _from_json(text, where)
    elif suffix == ".jsonl":
        yield from _from_jsonl(text, where)
    elif suffix in (".html", ".htm"):
        yield _checked(_from_html(text, where), where)
    else:
        yield _checked(_from_text(text, where), where)


def _read_text(path: Path, max_bytes: int) -> str | Skipped:
    """The file's text, or why there is none (checked in order: reachable, supported, size, encoding)."""
    where = str(path)
    try:
        info = path.stat()
    except OSError as exc:
        return Skipped(where, _os_reason(path, exc))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        return Skipped(where, f"unsupported file type '{suffix or path.name}' (use .txt, .md, .html, .json or .jsonl)")
    if not stat.S_ISREG(info.st_mode):
        return Skipped(where, "not a regular file")
    if info.st_size == 0:
        return Skipped(where, "empty file")
    if info.st_size > max_bytes:
        return Skipped(where, f"file is {info.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB cap (ingest.max_file_mb)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(where, _os_reason(path, exc))
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:8192]:
        return Skipped(where, "binary file, not text")
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        return Skipped(where, f"not {(encoding or 'utf-8').upper().removesuffix('-SIG')} text (bad byte at offset {exc.start})")
    if not text.strip():
        return Skipped(where, "empty file (only whitespace)")
    return text


def _checked(item: Article | Skipped, where: str) -> Article | Skipped:
    if isinstance(item, Article) and not item.body.strip():
        return Skipped(where, "article has no body text")
    return item


def _first(record: dict[str, Any], key: str) -> str:
    for name in _FIELDS[key]:
        value = _text(record.get(name))
        if value:
            return value
    return ""


def _text(value: Any, nested: bool = True) -> str:
    """A field's text, control characters stripped: a string or number as it is, a list's items joined, an
    object's name. Nothing deeper: a nested structure is no title or body, and printing a deep one would
    overflow the stack."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title")
    if isinstance(value, list) and nested:
        return ", ".join(t for t in (_text(v, nested=False) for v in value) if t)
    if not isinstance(value, str | int | float):
        return ""
    text = strip_controls(str(value)).strip()
    return "" if text in ("None", "null") else text


def article_from_record(record: Any, where: str) -> Article | Skipped:
    """Map a JSON object with common field names (MultiHop-RAG's among them) to an Article."""
    if not isinstance(record, dict):
        return Skipped(where, f"expected a JSON object for an article, got {type(record).__name__}")
    body = _first(record, "body")
    title = _first(record, "title")
    if not body:
        return Skipped(where, "article has no body text (expected a 'body', 'text' or 'content' field)")
    raw_date = _first(record, "published_at")
    try:
        published = read_date(raw_date) if raw_date else ""
    except ValueError as exc:
        return Skipped(where, f"{exc} in published_at '{raw_date}'")
    # Citation markers are ours alone: one in the article's text would pass for a source of ours.
    body, title = strip_citation_marks(body), strip_citation_marks(title)
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
    except RecursionError:
        yield Skipped(where, TOO_DEEP)
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
        except RecursionError:
            yield Skipped(f"{where}:{lineno}", TOO_DEEP)
            continue
        yield article_from_record(record, f"{where}:{lineno}")


_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n", re.DOTALL)
_HEADER = re.compile(r"^(?P<key>title|source|outlet|author|by|url|link|date|published|category)\s*:\s*(?P<value>.+)$", re.IGNORECASE)


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
