"""What the chat puts on the screen: the output stream, an answer as it streams and once verified,
the sources, and whole articles. The session decides what to show; this module decides how."""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
import threading
import time
from typing import TYPE_CHECKING, Any

from .transcript import Turn, cited_numbers, source_line

if TYPE_CHECKING:
    from ..core.passage import Passage


class Output:
    """Where the session writes: a text stream, dim styling only on a colour terminal."""

    def __init__(self, stream=None, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        if color is None:
            color = (hasattr(self.stream, "isatty") and self.stream.isatty() and os.environ.get("TERM", "") != "dumb"
                     and not os.environ.get("NO_COLOR"))
        self.color = bool(color)
        self.lock = threading.Lock()
        self._transient = False

    def write(self, text: str) -> None:
        with self.lock:
            self.stream.write(text)
            self.stream.flush()

    def line(self, text: str = "") -> None:
        self.write(text + "\n")

    def transient(self, text: str) -> None:
        """A status shown until the next ``clear_transient`` (only on a real terminal that can erase it)."""
        if self.color:
            with self.lock:
                self._transient = True
                self.stream.write(self.dim(text))
                self.stream.flush()

    def clear_transient(self) -> None:
        with self.lock:
            if self._transient:
                self._transient = False
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color else text

    def width(self) -> int:
        return max(40, min(110, shutil.get_terminal_size((100, 24)).columns))


class AnswerView:
    """One answer on screen: its tokens as they stream (the status line erased at the first), then
    whatever verification changed, the cited sources and timings."""

    def __init__(self, out: Output, turn: Turn, started: float) -> None:
        self.out, self.turn, self.started = out, turn, started
        self.streamed: list[str] = []

    def token(self, token: str) -> None:
        """Show one streamed token; the first one also dates the turn's first token."""
        if self.turn.first_token_s is None:
            self.turn.first_token_s = time.perf_counter() - self.started
            self.out.clear_transient()
        self.streamed.append(token)
        self.out.write(token)

    def finish(self) -> None:
        """Finish what streaming began: the rest of the verified text (the answerer streams sentences
        as they pass verification, so the last one may come only now), or the verified answer in full
        when it differs from the stream; then the cited sources, one line each, and a status line."""
        out, answer = self.out, self.turn.answer
        final = answer.answer.strip()
        shown, whole = _squash("".join(self.streamed)), _squash(final)
        if not shown:
            out.line(_wrap(final, out.width()))
        elif whole == shown:
            out.line("")
        elif whole.startswith(shown):
            out.line(whole[len(shown):].lstrip() if shown.endswith(" ") or whole[len(shown):].startswith(" ")
                     else whole[len(shown):])
        else:
            out.line("")
            dropped = sum(1 for s in answer.sentences if not s.supported)
            why = (f"{dropped} unsupported sentence{'s' if dropped != 1 else ''} removed" if dropped
                   else "after checking the sources")
            out.line(out.dim(f"── verified answer ({why}):"))
            out.line(_wrap(final, out.width()))
        if getattr(answer, "abstained", False) and getattr(answer, "reason", ""):
            out.line(out.dim(f"  (abstained: {answer.reason})"))
        cited = cited_numbers(answer)
        for n in cited:
            out.line("  " + _clip(source_line(n, answer.sources[n - 1]), out.width() - 2))
        self._status(len(cited))

    def _status(self, cited: int) -> None:
        """``(2 of 6 sources cited · /sources · /open N · first token 0.4 s · 1.2 s)``."""
        answer, turn = self.turn.answer, self.turn
        bits = []
        if answer.sources:
            bits.append(f"{cited} of {len(answer.sources)} sources cited · /sources · /open N")
        if turn.first_token_s is not None:
            bits.append(f"first token {turn.first_token_s:.1f} s")
        if turn.total_s is not None:
            bits.append(f"{turn.total_s:.1f} s")
        if bits:
            self.out.line(self.out.dim("  (" + " · ".join(bits) + ")"))


def show_sources(out: Output, answer: Any) -> None:
    """``/sources``: every passage of the answer in full, the cited ones marked."""
    from ..core.render import passage_lines

    cited = set(cited_numbers(answer))
    for n, passage in enumerate(answer.sources, 1):
        lines = passage_lines(n, passage)
        if n in cited:
            lines[0] += "  (cited)"
        out.line("\n".join(lines))


def show_article(out: Output, number: int, passage: "Passage", meta: dict[str, Any], body: str) -> None:
    """``/open N``: the article's heading (the store's metadata first, the passage's as fallback) and its
    paragraphs wrapped to the terminal."""
    art = passage.article
    lines = [f"[{number}] {meta.get('title') or art.title or '(untitled)'}",
             f"    {meta.get('source') or art.source or 'unknown outlet'}, "
             f"{str(meta.get('published_at') or art.published_at)[:10] or 'undated'}"
             + (f" · {meta.get('author')}" if meta.get("author") else "")]
    if meta.get("url") or art.url:
        lines.append(f"    {meta.get('url') or art.url}")
    lines.append("")
    width = out.width()
    for para in re.split(r"\n\s*\n|\n", body or ""):
        if para.strip():
            lines.append(textwrap.fill(" ".join(para.split()), width))
            lines.append("")
    out.line("\n".join(lines).rstrip())


def _squash(text: str) -> str:
    return " ".join(text.split())


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(p, width) if p.strip() else "" for p in text.split("\n"))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"
