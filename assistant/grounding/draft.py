"""A journalist's fact-check of a draft: each sentence searched in the index and verified against what
comes back, one status per sentence.

``supported``: some retrieved passage supports it. ``contradicted``: a passage about the same thing (its
closest window at least ``check.same_topic_similarity``) says otherwise -- another number, date or name,
another subject or object for the same verb, or a negation the other side lacks. ``not_found``: neither.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.passage import Passage
from ..text.sentences import split_sentences
from ..text.words import content_keys
from .facts import evidence_text
from .verifier import Verdict, Verifier

STATUSES = ("supported", "contradicted", "not_found")
_CLASH_FEATURES = ("subject_clash", "object_clash", "swapped", "negation_clash")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_MARKUP = re.compile(r"^\s*(?:[-*+>]\s+|\d{1,3}[.)]\s+)")


@dataclass
class SentenceCheck:
    """One draft sentence, its status, the passage that decided it (if any) and the verifier's word on it."""

    sentence: str
    status: str
    score: float
    reasons: list[str] = field(default_factory=list)
    passage: Passage | None = None

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "status": self.status, "score": round(self.score, 4),
                "reasons": self.reasons, "passage": self.passage.to_dict(1) if self.passage else None}


def draft_sentences(text: str) -> list[str]:
    """The draft's sentences: Markdown headings (titles, not claims) and list markers left out, and so are
    sentences without content words."""
    lines = [_MARKUP.sub("", line) for line in text.splitlines() if not _HEADING.match(line)]
    return [s for s in split_sentences("\n".join(lines), newline_breaks=True) if content_keys(s)]


def clashes(verdict: Verdict) -> bool:
    """Whether a rejected verdict says the passage states something else (not merely something less)."""
    hard = any(r.split()[0] in ("number", "year", "date", "name", "names") for r in verdict.reasons)
    feats = verdict.features
    return hard or any(feats.get(f, 0) > 0 for f in _CLASH_FEATURES) or feats.get("negation_diff", 0) != 0


def decide(sentence: str, passages: Sequence[Passage], verdicts: Sequence[Verdict], same_topic: float) -> SentenceCheck:
    """The status of one sentence from its verdict against each retrieved passage."""
    if not passages:
        return SentenceCheck(sentence, "not_found", 0.0, ["no passage in the index matches it"])
    best = max(range(len(verdicts)), key=lambda i: verdicts[i].score)
    roles = [i for i, v in enumerate(verdicts) if v.similarity >= same_topic
             and any(v.features.get(f, 0) > 0 for f in ("subject_clash", "swapped"))]
    if roles:  # a passage on the same event gives the act to someone else: that outweighs one that does not say
        i = max(roles, key=lambda i: verdicts[i].similarity)
        return SentenceCheck(sentence, "contradicted", verdicts[i].score, verdicts[i].reasons, passages[i])
    if verdicts[best].supported:
        return SentenceCheck(sentence, "supported", verdicts[best].score, [], passages[best])
    against = [i for i, v in enumerate(verdicts) if v.similarity >= same_topic and clashes(v)]
    if against:
        i = max(against, key=lambda i: verdicts[i].similarity)
        return SentenceCheck(sentence, "contradicted", verdicts[i].score, verdicts[i].reasons, passages[i])
    return SentenceCheck(sentence, "not_found", verdicts[best].score, verdicts[best].reasons, passages[best])


def check_draft(text: str, retriever, verifier: Verifier, k: int, same_topic: float, filters=None) -> list[SentenceCheck]:
    """Every sentence of ``text`` retrieved for (``k`` passages) and verified against each passage."""
    sentences = draft_sentences(text)
    found = retriever.search_batch(sentences, k, filters) if sentences else []
    pairs = [(s, [evidence_text(p)]) for s, passages in zip(sentences, found) for p in passages]
    verdicts = iter(verifier.check_many(pairs))
    out = []
    for sentence, passages in zip(sentences, found):
        mine = [next(verdicts) for _ in passages]
        out.append(decide(sentence, passages, mine, same_topic))
    return out
