"""Rendering shared by every output: passages and sources for a terminal (compact, wrapped, control characters
stripped), article text as literal Markdown, and text shortened at a word."""

from __future__ import annotations

import re
import shutil
import textwrap

from .passage import ArticleRef, Passage
from .sanitize import strip_controls


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
"""Characters article text must not use as Markdown: emphasis, code, HTML, tables, entities and the brackets of a
link (a parenthesis is plain text outside one, so it stays as written: "the European Union (EU)")."""
_MD_BLOCK_START = re.compile(r"^(?:[-+=]|\d{1,9}\.)")


def md_literal(text: str) -> str:
    """Text from articles or the model as literal Markdown: control characters out, on one line, every
    character that could open a link, emphasis, code, HTML or a table backslash-escaped, and a leading
    list/quote/heading marker too. The one escaper of every Markdown output (briefs, checks, transcripts)."""
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(strip_controls(text).split()))
    return _MD_BLOCK_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters with " …" when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _width() -> int:
    return max(60, min(110, shutil.get_terminal_size((100, 20)).columns))


def source_label(article: ArticleRef, title: str | None = None) -> str:
    """``Title — Outlet, 2025-02-28``, with "unknown outlet" and "undated" where the article lacks them;
    ``title`` replaces the headline (a Markdown link to it)."""
    shown = title if title is not None else article.title or "(untitled)"
    return f"{shown} — {article.source or 'unknown outlet'}, {article.published_at[:10] or 'undated'}"


def passage_lines(n: int, passage: Passage, max_chars: int = 320) -> list[str]:
    """``[n] title — outlet, date`` then the URL and an indented, shortened passage."""
    art = passage.article
    head = f"[{n}] {source_label(art)}"
    text = shorten(strip_controls(passage.text), max_chars)
    lines = [" ".join(strip_controls(head).split())]
    if art.url:
        lines.append(f"    {strip_controls(art.url)}")
    lines.extend(textwrap.wrap(text, _width(), initial_indent="    ", subsequent_indent="    "))
    also = passage.also_reported_by
    if also:
        names = ", ".join(dict.fromkeys(strip_controls(a.get("source") or a.get("url") or "?") for a in also))
        lines.append(f"    also reported by {names}")
    return lines
