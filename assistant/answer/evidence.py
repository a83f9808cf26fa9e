"""Evidence selection without a language model: the best sentences of retrieved passages for a query.

Used by ``--llm none`` (answers are built from these sentences) and by every mode for claim checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.passage import Passage
from ..index.embedder import Embedder
from ..index.vectors import UnitVectors
from ..text.mentions import find_names
from ..text.screening import clean_sentences, instruction_like, redact
from ..text.sentences import split_sentences
from ..text.words import content_keys, word_keys

HEADLINE_PENALTY = 0.1
"""Taken off a headline's similarity: a body sentence says more, so a headline answers only when it is
clearly closer to the question than every body sentence."""
WHO_BONUS = 0.08
"""Added to the score of a sentence that names a person when the question asks who."""


def _names_person(sentence: str) -> bool:
    """A multi-word capitalised name (``Ursula von der Leyen``), not just a capitalised word."""
    return any(len(m.text.split()) >= 2 for m in find_names(sentence))


@dataclass
class Evidence:
    """One sentence of one passage and how well it matches a query (cosine of MiniLM vectors)."""

    passage: Passage
    sentence: str
    score: float


class SentenceScorer:
    """Cosine similarity between queries and passage sentences; sentence vectors are cached.

    Only the ``per_passage`` sentences sharing most content words with the query are embedded, since
    the embedder manages about 60 texts/s on two cores.
    """

    def __init__(self, embedder: Embedder | UnitVectors, per_passage: int = 5) -> None:
        self.vectors = UnitVectors.of(embedder).vectors
        self.per_passage = per_passage

    def candidates(self, query: str, passage: Passage, must: str | None = None) -> list[str]:
        """The passage's title and sentences most likely to match ``query`` (optionally containing ``must``)."""
        sentences = clean_sentences(passage.text)
        title = " ".join(passage.article.title.split())
        if title and not instruction_like(title):
            sentences = [title, *sentences]
        if must:
            keys = set(word_keys(must))
            sentences = [s for s in sentences if keys <= set(word_keys(s))]
        wanted = set(content_keys(query))
        ranked = sorted(range(len(sentences)), key=lambda i: -len(wanted & set(content_keys(sentences[i]))))
        return [sentences[i] for i in ranked[: self.per_passage]]

    def best(self, query: str, passages: Sequence[Passage], must: str | None = None) -> list[Evidence]:
        """The best sentence of each passage for ``query``, best passage first."""
        per = [(p, self.candidates(query, p, must)) for p in passages]
        texts = [query, *(s for _, ss in per for s in ss)]
        vecs = dict(zip(texts, self.vectors(texts)))
        q = vecs[query]
        out = []
        for passage, sentences in per:
            if sentences:
                scored = [(float(q @ vecs[s]), s) for s in sentences]
                score, sentence = max(scored)
                out.append(Evidence(passage, sentence, score))
        return sorted(out, key=lambda e: -e.score)

    def ranked_sentences(self, queries: Sequence[str], passages: Sequence[Passage]) -> list[Evidence]:
        """Every body sentence of the passages and each article's headline (once, with its first passage;
        not a question headline), scored by its best similarity to any of ``queries``: news states its main
        fact in the headline ("Costco sues Trump administration over tariffs")."""
        pool: list[tuple[Passage, str, float]] = []  # (passage, sentence, what its kind takes off)
        titled: set[str] = set()
        for p in passages:
            title = " ".join(p.article.title.split())
            if p.article.id not in titled and title and "?" not in title and not instruction_like(title):
                pool.append((p, title, HEADLINE_PENALTY))
            titled.add(p.article.id)
            pool.extend((p, s, 0.0) for s in dict.fromkeys(clean_sentences(p.text)))
        vecs = self.vectors([*queries, *(s for _, s, _ in pool)])
        qs, ss = np.stack(vecs[: len(queries)]), vecs[len(queries):]
        # "Who …" wants a named person: sentences that name one rank ahead of "she said".
        bonus = WHO_BONUS if re.search(r"\bwho\b", " ".join(queries), re.I) else 0.0
        scored = [Evidence(p, s, float(np.max(qs @ v)) + (bonus if _names_person(s) else 0.0) - penalty)
                  for (p, s, penalty), v in zip(pool, ss)]
        return sorted(scored, key=lambda e: -e.score)

    def trim(self, query: str, passage: Passage, keep: int = 3) -> str:
        """The passage cut to its ``keep`` sentences closest to the query, in their original order."""
        sentences = [" ".join(s.split()) for s in split_sentences(passage.text)]
        if len(sentences) <= keep:
            return redact(passage.text)
        cands = [s for s in self.candidates(query, passage) if s in sentences]
        vecs = self.vectors([query, *cands])
        top = {s for _, s in sorted(((float(vecs[0] @ v), s) for s, v in zip(cands, vecs[1:])), reverse=True)[:keep]}
        return " ".join(s for s in sentences if s in top)
