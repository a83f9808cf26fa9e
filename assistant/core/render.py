"""Terminal rendering of passages and sources (compact, wrapped, control characters stripped)."""

from __future__ import annotations

import shutil
import textwrap

from .passage import Passage
from .sanitize import strip_controls


def _width() -> int:
    return max(60, min(110, shutil.get_terminal_size((100, 20)).columns))


def passage_lines(n: int, passage: Passage, max_chars: int = 320) -> list[str]:
    """``[n] title — outlet, date`` then the URL and an indented, shortened passage."""
    art = passage.article
    head = f"[{n}] {art.title or '(untitled)'} — {art.source or 'unknown outlet'}, {art.published_at[:10] or 'undated'}"
    text = " ".join(strip_controls(passage.text).split())
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    lines = [" ".join(strip_controls(head).split())]
    if art.url:
        lines.append(f"    {strip_controls(art.url)}")
    lines.extend(textwrap.wrap(text, _width(), initial_indent="    ", subsequent_indent="    "))
    also = passage.also_reported_by
    if also:
        names = ", ".join(dict.fromkeys(strip_controls(a.get("source") or a.get("url") or "?") for a in also))
        lines.append(f"    also reported by {names}")
    return lines
