"""The state of one briefing note in the making, and the run's shared sentence vectors.

The pipeline's steps (``pool``, ``notes``, ``sections``, ``assemble``) are functions that read and extend
one ``NoteState``; the state holds data only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .lines import Line
from .people import Actor
from .model import SECTIONS, BriefArticle, Section

if TYPE_CHECKING:
    from ..core.settings import BriefSettings, Settings
    from ..grounding.verifier import Verifier
    from ..index.vectors import UnitVectors
    from ..llm import ChatModel


@dataclass
class NoteState:
    """One briefing run: the articles and models, the candidate lines with their vectors, the sections
    as they fill, and what was dropped or went wrong on the way."""

    articles: list[BriefArticle]
    topic: str
    settings: Settings
    llm: ChatModel | None
    embedder: UnitVectors  # shared with the verifier
    verifier: Verifier
    sentences: list[Line] = field(default_factory=list)
    """Every sentence of every article, for quotes, timeline and actors."""
    lines: list[Line] = field(default_factory=list)
    """The sentences fit for prose (the bottom line and key developments)."""
    notes: list[Line] = field(default_factory=list)
    """Verified model notes."""
    topic_vec: np.ndarray | None = None
    actors: dict[str, Actor] = field(default_factory=dict)
    """The people and organisations named in the articles, by key (``people.cast``)."""
    centrality: np.ndarray | None = None
    """LexRank score of each of ``sentences`` (computed once, when lines are first scored)."""
    sections: dict[str, Section] = field(default_factory=lambda: {k: Section(k, t) for k, t in SECTIONS})
    used: list[Line] = field(default_factory=list)
    """Lines already placed in the note (nothing repeats them)."""
    dropped: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    prompt_versions: dict[str, str] = field(default_factory=dict)
    llm_stats: Counter[str] = field(default_factory=Counter)
    outlets: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.outlets = {a.source for a in self.articles if a.source}

    @property
    def cfg(self) -> BriefSettings:
        return self.settings.brief

    def source(self, line: Line) -> str:
        """The outlet of the article a line comes from."""
        return self.articles[line.article].source

    def drop(self, section: str, text: str, reasons: list[str], origin: str = "llm") -> None:
        """Record a line left out of the note, with why."""
        self.dropped.append({"section": section, "text": text, "origin": origin, "reasons": reasons})
