"""A journalist's fact-check of a draft: each sentence searched in the index and verified against what
comes back, one status per sentence.

``supported``: some retrieved passage supports it. ``contradicted``: a passage about the same thing (its
closest window at least ``check.same_topic_similarity``) says otherwise -- another number, date or name,
another subject or object for the same verb, or a negation the other side lacks -- or a passage sentence
sharing most of its words states the same act with another of the story's named people doing it, the roles
exchanged or the polarity flipped (``_SAME_ACT``: that sentence is the topic, whatever the window similarity).
``not_found``: neither. Each passage is read with the other retrieved passages of its article, so a name the
article gives elsewhere is one of the story's people.
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
_SAME_ACT = ("named_clash", "swapped", "negation_clash")
"""Role clashes read only from evidence sentences holding most of the claim's words (``support_features``)."""
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
    evidence: str = ""  # the passage window closest to the sentence

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "status": self.status, "score": round(self.score, 4),
                "reasons": self.reasons, "evidence": self.evidence,
                "passage": self.passage.to_dict(1) if self.passage else None}


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

    def verdict_of(i: int, status: str, reasons: list[str] | None = None) -> SentenceCheck:
        v = verdicts[i]
        return SentenceCheck(sentence, status, v.score, v.reasons if reasons is None else reasons, passages[i], v.window)

    best = max(range(len(verdicts)), key=lambda i: verdicts[i].score)
    roles = [i for i, v in enumerate(verdicts) if v.similarity >= same_topic
             and any(v.features.get(f, 0) > 0 for f in ("subject_clash", "swapped"))]
    if roles:  # a passage on the same event gives the act to someone else: that outweighs one that does not say
        return verdict_of(max(roles, key=lambda i: verdicts[i].similarity), "contradicted")
    if verdicts[best].supported:
        return verdict_of(best, "supported", [])
    against = [i for i, v in enumerate(verdicts) if v.similarity >= same_topic and clashes(v)
               or any(v.features.get(f, 0) > 0 for f in _SAME_ACT)]
    if against:
        return verdict_of(max(against, key=lambda i: verdicts[i].similarity), "contradicted")
    return verdict_of(best, "not_found")


def _with_article(passages: Sequence[Passage]) -> list[list[Passage]]:
    """Each passage first, then the other retrieved passages of its article: the evidence it is read with."""
    return [[p, *(x for x in passages if x is not p and x.article.id == p.article.id)] for p in passages]


def _holding(check: SentenceCheck, group: Sequence[Passage]) -> SentenceCheck:
    """The check pointing at the passage of its article that holds the window it was decided on."""
    if check.evidence:
        check.passage = next((p for p in group if check.evidence in evidence_text(p)), check.passage)
    return check


def check_draft(text: str, retriever, verifier: Verifier, k: int, same_topic: float, filters=None) -> list[SentenceCheck]:
    """Every sentence of ``text`` retrieved for (``k`` passages) and verified against each passage, read with
    the other retrieved passages of its article."""
    sentences = draft_sentences(text)
    found = retriever.search_batch(sentences, k, filters) if sentences else []
    groups = [_with_article(passages) for passages in found]
    pairs = [(s, [evidence_text(x) for x in group]) for s, gs in zip(sentences, groups) for group in gs]
    verdicts = iter(verifier.check_many(pairs))
    out = []
    for sentence, passages, gs in zip(sentences, found, groups):
        mine = [next(verdicts) for _ in passages]
        check = decide(sentence, passages, mine, same_topic)
        out.append(_holding(check, next((g for g in gs if g[0] is check.passage), [])))
    return out
