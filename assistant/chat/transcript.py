"""The conversation's record: its turns, the sources each answer cites, and the Markdown ``/save`` writes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.render import md_literal, shorten, source_label
from ..text.markers import CITATION_RE
from .commands import CommandError

if TYPE_CHECKING:
    from ..core.passage import Passage

EXCERPT_CHARS = 400
"""Most characters of a source passage quoted under a saved answer."""


@dataclass
class Turn:
    """One exchange: a question and its answer, or a briefing note (``kind == "brief"``)."""

    question: str
    standalone: str = ""
    answer: Any = None  # assistant.answer.Answer
    kind: str = "question"
    markdown: str = ""  # the briefing note for kind "brief"
    note: str = ""  # "cancelled", an error line, ...
    filters: str = ""
    first_token_s: float | None = None
    total_s: float | None = None


def cited_numbers(answer: Any) -> list[int]:
    """Source numbers the answer's sentences cite, in order of first use (only valid ones)."""
    seen: list[int] = []
    for sentence in getattr(answer, "sentences", []) or []:
        for n in sentence.citations:
            if 1 <= n <= len(answer.sources) and n not in seen:
                seen.append(n)
    if not seen:  # answers without per-sentence data: read the markers in the text
        from ..grounding.citations import marker_numbers

        for marker in CITATION_RE.findall(getattr(answer, "answer", "") or ""):
            for n in marker_numbers(marker):
                if 1 <= n <= len(answer.sources) and n not in seen:
                    seen.append(n)
    return seen


def source_line(n: int, passage: "Passage") -> str:
    """``[2] Title — Outlet, 2025-02-28``: a source in one line, as listed under an answer."""
    return f"[{n}] {source_label(passage.article)}"


def save_transcript(turns: Sequence[Turn], name: str, *, llm: str) -> Path:
    """Write ``transcript_markdown`` to the file ``/save NAME`` names; what goes wrong is a one-line hint."""
    if not turns:
        raise CommandError("nothing to save yet: ask a question first")
    path = Path(name.strip().strip("\"'")).expanduser()
    if path.is_dir():
        raise CommandError(f"{path} is a folder: give a file name, e.g. /save {path / 'chat.md'}")
    try:
        path.write_text(transcript_markdown(turns, llm=llm), encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def transcript_markdown(turns: Sequence[Turn], *, llm: str, saved_at: datetime | None = None) -> str:
    """The conversation as Markdown: each question, what it was searched as, the verified answer with
    its [n] citations, and its sources (cited ones with their passage, the rest listed)."""
    saved_at = saved_at or datetime.now(timezone.utc)
    out = ["# Chat transcript", "", f"- saved: {saved_at.strftime('%Y-%m-%d %H:%M UTC')}", f"- model: {llm}", ""]
    for number, turn in enumerate(turns, 1):
        out += _brief_markdown(number, turn) if turn.kind == "brief" else _question_markdown(number, turn)
    return "\n".join(out).rstrip() + "\n"


def _brief_markdown(number: int, turn: Turn) -> list[str]:
    out = [f"## {number}. Briefing: {turn.question}", ""]
    if turn.filters:
        out += [f"*Filter:* {turn.filters}", ""]
    body = re.sub(r"(?m)^(#{1,4}) ", r"##\1 ", turn.markdown.strip())  # nest its headings under the turn's
    return out + [body or f"*({turn.note or 'no briefing'})*", ""]


def _question_markdown(number: int, turn: Turn) -> list[str]:
    out = [f"## {number}. {turn.question}", ""]
    if turn.standalone and turn.standalone != turn.question:
        out += [f"*Searched as:* {turn.standalone}", ""]
    if turn.filters:
        out += [f"*Filter:* {turn.filters}", ""]
    answer = turn.answer
    if answer is None:
        return out + [f"*({turn.note or 'no answer'})*", ""]
    out += [answer.answer.strip() or "*(empty answer)*", ""]
    if getattr(answer, "abstained", False):
        out += ["*(abstained: the sources do not support an answer)*", ""]
    dropped = [s for s in getattr(answer, "sentences", []) or [] if not s.supported]
    if dropped and not getattr(answer, "abstained", False):
        out += [f"*{len(dropped)} draft sentence(s) failed verification and are not shown above.*", ""]
    out += _sources_markdown(answer)
    if turn.note:
        out += [f"*({turn.note})*", ""]
    return out


def _sources_markdown(answer: Any) -> list[str]:
    """The cited sources with their passage, then the others retrieved, as a numbered list."""
    if not answer.sources:
        return []
    cited = cited_numbers(answer)
    out = ["**Sources**", ""]
    for n in cited:
        passage = answer.sources[n - 1]
        out.append(_md_source(n, passage))
        out.append(f"   > {md_literal(shorten(passage.text, EXCERPT_CHARS))}")
    others = [n for n in range(1, len(answer.sources) + 1) if n not in cited]
    if others:
        if cited:
            out += ["", "Also retrieved (not cited):", ""]
        out += [_md_source(n, answer.sources[n - 1]) for n in others]
    return out + [""]


def _md_source(n: int, passage: "Passage") -> str:
    art = passage.article
    title = md_literal(art.title or "(untitled)")
    link = f"[{title}]({art.url})" if art.url else title
    return f"{n}. {source_label(art, link)}"


