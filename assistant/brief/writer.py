"""Briefing notes: a short, structured note on a topic whose every line cites verified passages.

Pipeline (DESIGN.md): topic -> article-level retrieval (``select``) -> candidate sentences (``pool``)
-> per-article model notes (``notes``, map) -> sections (``sections``, reduce) -> verify and number
(``assemble``) -> render (``render``). The core, ``brief_articles``, takes a list of ``BriefArticle``
(each with its passages), so the index path (``write_brief``) and the eval path
(``select.articles_from_texts``) share it.

Every section is built from *candidate lines*: article sentences (always available, verbatim from a
passage) and, with a language model, the model's per-article notes and its bottom line. Each line cites
the passages it comes from and passes the same ``Verifier`` as answers; quotes must also occur verbatim
in the cited passage. Lines that fail are dropped (and listed in ``Brief.dropped``); a model line that
fails is replaced by an extractive one. The language model only phrases: quotes, actors, timeline,
differences and open questions are taken from the text, where the system can check them exactly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..core.errors import InputError
from ..llm import FROM_SETTINGS, chosen_llm
from ..text.sentences import split_sentences
from .assemble import assemble
from .model import Brief, BriefArticle
from .notes import map_notes
from .pool import collect_sentences
from .sections import build_sections
from .select import select_articles
from .state import NoteState
from .stories import attach_stories, count_outlets, file_stories

if TYPE_CHECKING:
    from ..core.settings import Settings
    from ..grounding.verifier import Verifier
    from ..index.embedder import Embedder
    from ..retrieve.filters import Filters
    from ..retrieve.retriever import Retriever

"""Default for ``llm=``: build the model ``settings.llm.spec`` names."""


def write_brief(topic: str, settings: Settings, *, retriever: Retriever | None = None, llm: Any = FROM_SETTINGS,
                since: str | None = None, until: str | None = None, sources: Sequence[str] = (),
                filters: Filters | None = None, n_articles: int = 8, progress: bool | None = None,
                verifier: Verifier | None = None) -> Brief:
    """Select the articles most relevant to ``topic`` in the index and write a briefing note on them."""
    if not topic or not topic.strip():
        raise InputError("give a topic to brief on")
    if n_articles < 1:
        raise InputError("--articles must be at least 1")
    from ..retrieve.retriever import Retriever

    retriever = retriever or Retriever(settings)
    filters = filters or retriever.filters(since, until, sources)
    articles, problems = select_articles(retriever, topic, filters, n_articles, settings)
    if not articles:
        raise InputError(f"no articles in the index match '{topic}'" + ("" if filters.is_empty() else " with these filters"),
                         hint="check the filters with 'assistant index list'")
    attach_stories(articles, settings, retriever.store)
    brief = brief_articles(articles, settings, topic=topic, llm=llm, embedder=retriever.embedder,
                           verifier=verifier, progress=progress)
    brief.problems[:0] = problems
    if filters.since is not None or filters.until is not None:
        first, last = brief.date_range
        brief.date_range = (_day(filters.since) or first, _day(filters.until) or last)
    return brief


def brief_articles(articles: Sequence[BriefArticle], settings: Settings, *, topic: str | None = None,
                   llm: Any = FROM_SETTINGS, embedder: Embedder | None = None, verifier: Verifier | None = None,
                   progress: bool | None = None) -> Brief:
    """The map/reduce core: a briefing note on exactly these articles (most relevant first)."""
    started = time.monotonic()
    llm = chosen_llm(settings, llm)
    if embedder is None:
        from ..index.embedder import make_embedder

        embedder = make_embedder(settings)
    from ..index.vectors import UnitVectors

    memo = UnitVectors.of(embedder)
    if verifier is None:
        from ..grounding.verifier import make_verifier

        verifier = make_verifier(settings, memo)  # shares the sentence vectors
    articles = list(articles)
    if not articles:
        raise InputError("no articles to brief on")
    state = NoteState(articles, (topic or "").strip(), settings, llm, memo, verifier)
    collect_sentences(state)
    file_stories(state)
    if llm is not None:
        map_notes(state, progress)
    build_sections(state)
    count_outlets(state)
    brief = assemble(state)
    brief.stats["seconds"] = round(time.monotonic() - started, 2)
    return brief


def lead_sentences(text: str, n: int = 3) -> str:
    """The lead-n baseline: the first ``n`` sentences of ``text``."""
    return " ".join(" ".join(s.split()) for s in split_sentences(text)[:n])


def leads_in_turn(texts: Sequence[str], words: int) -> str:
    """The multi-article baseline: the articles' first sentences, then their second ones, and so on,
    until ``words`` words."""
    split = [[" ".join(x.split()) for x in split_sentences(t)] for t in texts]
    out: list[str] = []
    for rank in range(max((len(s) for s in split), default=0)):
        for sentences in split:
            if rank < len(sentences) and sum(len(o.split()) for o in out) < words:
                out.append(sentences[rank])
    return " ".join(out)


def _day(stamp: int | None) -> str | None:
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc).date().isoformat()
