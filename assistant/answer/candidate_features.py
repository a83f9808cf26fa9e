"""The row a candidate answer is scored on (``candidate_scorer``): how its best sentence matches the question,
how tightly it attaches there, how much of the evidence agrees, and signals any news carries (the wanted type,
its length, the age of its report, how much of it the question already says, the hand-weighted formula).

Every feature is relative to the question (its words, its day, the other candidates), never to an outlet, a
week or a word list, so the trees trained on two benchmarks (``bench/train_answer_scorer.py``) carry to
other news.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np

from ..core.passage import Passage
from ..text.words import word_keys
from .wants import LABELS, Want

AGREEMENT = 0.35
"""The formula's weight of agreement: each further article naming the candidate adds this times log(1 + articles)."""
ROLE = 0.3
"""The formula's role weight: a candidate in the question word's part of the question's verb ("Who was awarded
…?") scores this share more, one in the other part this share less."""

FEATURES = [
    "similarity",      # cosine of its best sentence to the question
    "closeness",       # 1 / (1 + dependency path to the nearest question word) there, 0 with none
    "covered",         # share of the question's words present in that sentence
    "best_rank",       # best passage rank of any sentence naming it
    "role",            # +1 the question word's part of its verb, -1 the other part, 0 no argument of it
    "articles",        # articles naming it among the evidence sentences
    "best_score",      # the formula's best occurrence score
    "mean_score",      # the formula's mean occurrence score
    "formula",         # the hand-weighted candidate score (best occurrence + agreement)
    "gap_best",        # the best candidate's formula score minus this one's
    "want_type",       # the wanted answer type, as an index of ``wants.LABELS``
    "words",           # words in the candidate
    "days_after_freshest",  # days its best occurrence's report is older than the freshest candidate's (NaN: undated)
    "in_question",     # share of its words the question holds ("Sam Bankman-Fried" for "… scolded Bankman-Fried?")
    "syntax",          # +1 its best occurrence fills a slot of its clause, -1 it modifies a noun ("Cue's testimony")
    "argument_share",  # share of its occurrences that fill a slot of their clause
    "noun_closeness",  # 1 / (1 + path) to the noun the question word determines ("which prosecutor"), best occurrence
    "noun_best",       # the same, its best over the candidate's occurrences
    "similarity_gap",  # the most similar candidate sentence's similarity minus its best sentence's
    "initials_asked",  # 1 when the question writes its initials ("EU" for "The European Union")
    "noun_similarity",  # cosine of the candidate to the question's noun phrase ("Emmy Awards", "award show")
]
"""Measured held out (``make train-answer-scorer --ablate``; README, "Answer candidates"). Left out: the
passage rank of the best sentence, outlets, whether the question names a role, the formula's rank and gap
to the next candidate, whether the entity's own label is wanted (no measurable gain), the age against the
question's day (an archive read later puts every candidate outside the training range: the age relative to
the freshest candidate replaces it), and three that gain on the benchmarks but are how they were built, not
how news is asked: the candidate in a headline, the share of the read passages naming it and the count of
evidence sentences naming it (RealTime QA's questions are written from the week's headlines and its ten
results were searched for the answer; MultiHop-RAG's inference answers are the entity its articles are
about). With them the scorer answered "Which judge scolded Bankman-Fried?" with the headline's "Sam
Bankman-Fried" and "Who presided over the US v. Google case?" with the article's witness; without them
held-out top-1 is within a question or two. ``extract.candidates`` scores these rows; the formula remains
only as features."""
TYPES = sorted(LABELS)
Vectors = Callable[[Sequence[str]], list[np.ndarray]]
"""Unit sentence vectors of texts (``UnitVectors.vectors``, cached)."""


def occurrence_score(similarity: float, closeness: float, covered: float, rank: int, role: int) -> float:
    """The hand-weighted score of one occurrence (kept as a feature and to order a candidate's sentences)."""
    attach = closeness * (0.5 + covered) if closeness else 0.0
    return similarity * (0.6 + attach) / (1.0 + 0.05 * rank) * (1.0 + ROLE * role)


def formula(found) -> float:
    """The hand-weighted candidate score: its best occurrence plus agreement across articles and outlets."""
    outlets = {o.evidence.passage.article.source for o in found.occurrences}
    return found.best.score + AGREEMENT * math.log1p(len(found.articles) - 1) \
        + 0.5 * AGREEMENT * math.log1p(len(outlets) - 1)


def _age(passage: Passage, day: date | None) -> float:
    try:
        return float((day - date.fromisoformat(passage.article.published_at[:10])).days) if day else math.nan
    except ValueError:
        return math.nan


def _initials_asked(text: str, question: str) -> float:
    """1.0 when the question holds the candidate's initials as a word ("EU" for "The European Union")."""
    initials = "".join(w[0] for w in text.split() if w[:1].isupper() and w.lower() != "the")
    return float(len(initials) >= 2 and initials in question.replace("?", " ").split())


def _noun_similarity(found: Sequence, want: Want, vectors: Vectors | None) -> list[float]:
    """Each candidate's cosine to the question's noun phrase: whether it is the kind of thing asked for
    ("Emmy Awards" and "award show", not "CBS"); NaN without such a noun or an embedder."""
    if vectors is None or not want.phrase or not found:
        return [math.nan] * len(found)
    vecs = vectors([want.phrase, *(c.text for c in found)])
    return [float(np.dot(vecs[0], v)) for v in vecs[1:]]


def rows(found: Sequence, want: Want, question: str, passages: Sequence[Passage], day: date | None,
         vectors: Vectors | None = None) -> np.ndarray:
    """One row of ``FEATURES`` per candidate (``extract.Found``, occurrences best first)."""
    scores = [formula(c) for c in found]
    top = max(scores, default=0.0)
    asked = set(word_keys(question))
    kind = TYPES.index(want.type) if want.type in TYPES else -1
    # ages relative to the freshest candidate's report: an archive read years later has no "old" candidate
    ages = [_age(c.best.evidence.passage, day) for c in found]
    freshest = min((a for a in ages if not math.isnan(a)), default=math.nan)
    top_similarity = max((c.best.evidence.score for c in found), default=0.0)
    kinds = _noun_similarity(found, want, vectors)
    out = np.zeros((len(found), len(FEATURES)))
    for i, cand in enumerate(found):
        best, keys = cand.best, set(cand.key)
        named = {
            "similarity": best.evidence.score, "closeness": best.closeness, "covered": best.covered,
            "best_rank": min(o.rank for o in cand.occurrences), "role": best.role, "articles": len(cand.articles),
            "best_score": best.score,
            "mean_score": sum(o.score for o in cand.occurrences) / len(cand.occurrences), "formula": scores[i],
            "gap_best": top - scores[i], "want_type": kind, "words": len(cand.text.split()),
            "days_after_freshest": ages[i] - freshest, "in_question": len(keys & asked) / max(1, len(keys)),
            "syntax": best.syntax,
            "argument_share": sum(o.syntax > 0 for o in cand.occurrences) / len(cand.occurrences),
            "noun_closeness": best.noun, "noun_best": max(o.noun for o in cand.occurrences),
            "similarity_gap": top_similarity - best.evidence.score,
            "initials_asked": _initials_asked(cand.text, question), "noun_similarity": kinds[i],
        }
        out[i] = [named[f] for f in FEATURES]
    return out
