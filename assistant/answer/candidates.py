"""Candidate answer entities: proper names in the retrieved passages that several of a question's
descriptions agree on (who/which/what questions are answered by the best-supported name)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.passage import Passage
from ..text.mentions import find_names
from ..text.nlp import entities, parse_many
from ..text.sentences import split_sentences
from ..text.words import word_keys

_GENERIC = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today ceo inc co ltd llc us uk eu ai "
    "photo image getty images reuters ap credit read more".split())
_ORG_WORDS = frozenset(
    "reserve bank research inc corp corporation company club fc group association commission department "
    "university institute agency authority league federation council committee court fund capital partner "
    "network media new time avenue park street exchange market ministry government party board".split())
_PERSON_Q = re.compile(r"^\s*(?:who|whom|whose)\b|\bwhich (?:individual|person|people|executive|player|ceo|founder|"
                       r"athlete|entrepreneur|celebrity|singer|artist|coach|politician|leader)\b", re.IGNORECASE)
_ORG_Q = re.compile(r"\b(?:which|what) (?:company|institution|organi[sz]ation|firm|club|team|entity|agency|"
                    r"body|bank|brand|group|platform|country|city)\b", re.IGNORECASE)


def wanted_type(question: str) -> str | None:
    """'person' for who-questions, 'organisation' for which-company/institution/club questions."""
    if _PERSON_Q.search(question):
        return "person"
    if _ORG_Q.search(question):
        return "organisation"
    return None


@dataclass
class Candidate:
    """A proper name found in the evidence with its support: how many queries' results and articles name it."""

    name: str
    key: tuple[str, ...]
    score: float = 0.0
    queries: set[int] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    surfaces: dict[str, int] = field(default_factory=dict)

    def display(self) -> str:
        return max(self.surfaces, key=lambda s: (len(s.split()), self.surfaces[s]))


def _sentences(passage: Passage) -> list[str]:
    """The sentences a passage's names are read from: its headline and its own sentences."""
    return [passage.article.title, *split_sentences(passage.text)]


def _names_in(passage: Passage) -> list[str]:
    out = []
    for sentence in _sentences(passage):
        for mention in find_names(" ".join(sentence.split())):
            name = re.sub(r"['’]s$", "", mention.text).strip(" -")
            if name:
                out.append(name)
    return out


def entity_candidates(question: str, result_lists: Sequence[Sequence[Passage]], exclude: Sequence[str] = (),
                      want: str | None = None) -> list[Candidate]:
    """Names in the retrieved passages that the question does not already contain, ranked by support.

    A name scores for each query whose results contain it (more for higher ranks) and for each distinct
    article naming it; a short name folds into a longer one that contains it ("Bankman-Fried" into
    "Sam Bankman-Fried").
    """
    asked = set(word_keys(question))
    excluded = [set(word_keys(x)) for x in exclude]
    found: dict[tuple[str, ...], Candidate] = {}
    for qi, passages in enumerate(result_lists):
        for rank, passage in enumerate(passages):
            weight = 1.0 / (1 + rank)
            for name in dict.fromkeys(_names_in(passage)):
                key = tuple(k for k in word_keys(name) if k)
                if not key or all(k in asked for k in key) or all(k in _GENERIC for k in key):
                    continue
                if any(set(key) <= ex for ex in excluded):
                    continue
                cand = found.setdefault(key, Candidate(name, key))
                cand.surfaces[name] = cand.surfaces.get(name, 0) + 1
                if qi not in cand.queries:
                    cand.queries.add(qi)
                    cand.score += weight
                cand.articles.add(passage.article.id)
    # Fold a short name into the best-supported longer name containing it ("Bankman-Fried" into
    # "Sam Bankman-Fried", not into a one-off "Bankman-Fried Alameda").
    for short in sorted(found, key=len):
        containers = [k for k in found if len(k) > len(short) and set(short) <= set(k)]
        if not containers or short not in found:
            continue
        long = max(containers, key=lambda k: (len(found[k].queries), len(found[k].articles)))
        if len(found[long].queries) * 2 < len(found[short].queries):
            continue  # the longer form is rare: keep the short name as the candidate
        target, source = found[long], found.pop(short)
        target.queries |= source.queries
        target.articles |= source.articles
        target.score += source.score
    ranked = list(found.values())
    for cand in ranked:
        cand.score += 0.25 * len(cand.articles) + 0.5 * len(cand.queries)
        org = bool(set(cand.key) & _ORG_WORDS)
        if want == "person":
            cand.score *= 1.3 if len(cand.key) >= 2 and not org else 0.6 if org else 1.0
        elif want == "organisation":
            cand.score *= 1.3 if org or len(cand.key) == 1 else 0.7
    return sorted(ranked, key=lambda c: -c.score)


def of_type(cands: Sequence[Candidate], labels: frozenset[str], passages: Sequence[Passage]) -> list[Candidate]:
    """The candidates spaCy reads, in a sentence of ``passages`` that writes them, as an entity of one of
    ``labels`` (its text inside the name or the name inside it): "Which country …?" is not answered by "X"."""
    sentences = list(dict.fromkeys(s for p in passages for s in _sentences(p)))

    def fits(name: str) -> bool:
        return any(e.label in labels and (e.text in name or name in e.text)
                   for doc in parse_many([s for s in sentences if name in s]) for e in entities(doc))

    return [c for c in cands if fits(c.display())]


def in_every_outlet(cands: Sequence[Candidate], outlets: Sequence[Sequence[str]],
                    passages: Sequence[Passage]) -> list[Candidate]:
    """The candidates whose counted mentions come from articles of every outlet the question names ("reported
    by both Fortune and The Age …": the answer is in both), or all of them when none does; an outlet's
    recurring headline word ("ASX set to …" in every market wrap of one paper) does not stand for the other
    outlet's reports."""
    source_of = {x.article.id: x.article.source for x in passages}

    def covers(c: Candidate) -> bool:
        named = {source_of.get(a) for a in c.articles}
        return all(named.intersection(o) for o in outlets)

    covering = [c for c in cands if covers(c)]
    return covering or list(cands)
