"""What answering returns: the answer, its sentences with the verifier's verdicts, and the abstention text.

Every step of answering builds these, so they sit below the steps (the ``Answerer`` facade imports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.passage import Passage

ABSTAIN_TEXT = "The indexed articles do not say."
MODEL_ROUTES = frozenset({"model", "entity+model"})
"""The routes whose answer is the model's verified sentences."""


@dataclass
class SentenceVerdict:
    """One answer sentence (without markers), the passages it cites, and the verifier's verdict."""

    text: str
    citations: list[int]
    supported: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Answer:
    """A grounded answer; ``sources[i]`` is passage ``[i+1]``."""

    question: str
    answer: str
    abstained: bool
    sentences: list[SentenceVerdict]
    sources: list[Passage]
    llm: str
    prompt_version: str
    route: str = ""
    """How it was answered: claims, dates, choice, outlet, entity, model, extractive, abstain."""
    reason: str = ""
    """Why it abstained (empty otherwise)."""
    cancelled: bool = False
    seconds: float = 0.0
    drafted: bool = False
    """Whether a model wrote a draft for it (kept when ``route`` is a model route, else rejected)."""

    @property
    def model_kept(self) -> bool:
        """Whether the answer keeps verified sentences the model wrote."""
        return self.route in MODEL_ROUTES

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` shape from DESIGN.md."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "sentences": [{"text": s.text, "citations": list(s.citations), "supported": s.supported}
                          for s in self.sentences],
            "sources": [{"n": n, "chunk_id": p.chunk_id, "title": p.article.title, "source": p.article.source,
                         "published_at": p.article.published_at, "url": p.article.url, "text": p.text,
                         "also_reported_by": list(p.also_reported_by)}
                        for n, p in enumerate(self.sources, 1)],
            "llm": self.llm,
            "prompt_version": self.prompt_version,
        }
