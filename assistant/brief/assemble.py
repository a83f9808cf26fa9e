"""The last step: verify every extractive line, drop the unsupported, number the cited passages in
reading order and assemble the ``Brief`` with its stats."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..core.passage import Passage
from ..grounding.citations import strip_markers
from .lines import quote_problems
from .model import Brief, Bullet
from .state import NoteState


def assemble(state: NoteState) -> Brief:
    """The finished note (model lines were verified when they were made)."""
    _verify_extractive(state)
    passages = _number_citations(state)
    dates = sorted(a.published_at[:10] for a in state.articles if a.published_at)
    topic = state.topic or state.articles[0].title or _first_words(state.lines[0].text if state.lines else "", 10)
    return Brief(
        topic=topic, title=f"Briefing: {topic}", date_range=(dates[0] if dates else None, dates[-1] if dates else None),
        sections=list(state.sections.values()), articles=state.articles, passages=passages, problems=state.problems,
        dropped=state.dropped, llm=getattr(state.llm, "name", "none") if state.llm is not None else "none",
        prompt_versions=state.prompt_versions, stats=_stats(state),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _verify_extractive(state: NoteState) -> None:
    """Check every article sentence in the note (quotes verbatim too); a bullet with an unsupported
    part is dropped whole."""
    from ..grounding.verifier import evidence_text

    pending = [part for s in state.sections.values() for b in s.bullets for part in b.all_parts()
               if part.origin == "extractive"]
    verdicts = state.verifier.check_many([(p.text, [evidence_text(x) for x in p.passages]) for p in pending])
    for part, verdict in zip(pending, verdicts):
        part.apply(verdict)
        part.reasons += quote_problems(part.text, part.passages)
        part.supported = part.supported and not part.reasons
    for section in state.sections.values():
        kept: list[Bullet] = []
        for bullet in section.bullets:
            if all(p.supported for p in bullet.all_parts()):
                kept.append(bullet)
            else:
                state.drop(section.key, bullet.text, [r for p in bullet.all_parts() for r in p.reasons],
                           origin=bullet.origin)
        section.bullets = kept


def _number_citations(state: NoteState) -> list[Passage]:
    """Passages in order of first citation; each bullet part's citations become their numbers."""
    numbering: dict[str, int] = {}
    passages: list[Passage] = []
    for section in state.sections.values():
        for bullet in section.bullets:
            for part in bullet.all_parts():
                part.citations = []
                for passage in part.passages:
                    if passage.chunk_id not in numbering:
                        passages.append(passage)
                        numbering[passage.chunk_id] = len(passages)
                    part.citations.append(numbering[passage.chunk_id])
    return passages


def _stats(state: NoteState) -> dict[str, Any]:
    bullets = [b for s in state.sections.values() for b in s.bullets]
    llm = state.llm_stats
    return {
        "articles": len(state.articles), "outlets": len(state.outlets), "bullets": len(bullets),
        "verified_bullets": sum(all(p.supported and p.citations for p in b.all_parts()) for b in bullets),
        "dropped": len(state.dropped), "llm_calls": llm["calls"],
        "llm_lines_proposed": llm["notes_proposed"] + llm["bottom_proposed"],
        "llm_lines_kept": llm["notes_kept"] + llm["bottom_kept"],
        "llm_lines_used": sum(b.origin == "llm" for b in bullets),
    }


def _first_words(text: str, n: int) -> str:
    words = strip_markers(text).split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")
