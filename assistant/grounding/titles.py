"""A title given to the wrong person: the claim calls a named person by a title ("Sanjay Seth is the EU
Commissioner for Defence and Space", "Seth, the EU commissioner for defence, said") that the evidence gives to
someone else it names ("the EU Commissioner for Defence and Space Andrius Kubilius") and never to them.

Titles are read off spaCy's parse with ``text.people``: a title before a name, an appositive after it or a
copula ("X is the T"), on both sides. Only the evidence sentences that could hold either title are parsed, and
only for claims whose parse has a copula or an appositive.
"""

from __future__ import annotations

from ..text.nlp import parse_many
from ..text.people import TITLE_WORDS, copula_role, full_span, name_key, role_of
from ..text.words import content_keys
from .evidence import EvidenceSet

MIN_TITLE_WORDS = 2
"""Content words a claimed title needs before it can be someone else's: one word ("president", "minister") is
held by many people in one story, so it says too little about whose it is."""
_TITLE_DEPS = frozenset({"appos", "attr"})


def _may_give_titles(doc) -> bool:
    """Whether a claim's syntax parse has a proper noun and an appositive or a copula's complement."""
    return any(t.tag_ in ("NNP", "NNPS") for t in doc) and any(t.dep_ in _TITLE_DEPS for t in doc)


def titles_in(doc) -> list[tuple[str, str, str, frozenset[str]]]:
    """(name key, name, title, its words) for each proper name the parsed text gives an office ("Minister of State
    for Defence Sanjay Seth", "Seth, the minister, …", "Seth is the minister"): a title of at least
    ``MIN_TITLE_WORDS`` content words holding an office word of ``text.people.TITLE_WORDS``. Read off the parse,
    not the NER (the small model misses names such as "Andrius Kubilius" in a long sentence)."""
    out = []
    for tok in doc:
        if tok.pos_ != "PROPN" or tok.dep_ == "compound":
            continue
        start, end = full_span(doc, tok.i, tok.i + 1)
        title = role_of(doc, start, end) or copula_role(doc, start, end)
        words, key = frozenset(content_keys(title)), name_key(doc[start:end].text)
        if len(words) >= MIN_TITLE_WORDS and words & TITLE_WORDS and key:
            out.append((key, doc[start:end].text, title, words))
    return out


def title_clashes(claim: str, claim_doc, evidence: EvidenceSet) -> list[str]:
    """A reason per office the claim gives a named person that the evidence gives only to another person (its
    sentences' content words as the evidence set read them once)."""
    if not _may_give_titles(claim_doc):
        return []
    reasons = []
    for key, name, title, words in titles_in(parse_many([claim])[0]):
        holding = [w.text for w in evidence.singles if words <= w.content or key in w.content]
        given = [t for doc in parse_many(holding) for t in titles_in(doc)]
        own = [w for k, _, _, w in given if k == key and (words <= w or w <= words)]
        other = [(n, t) for k, n, t, w in given if k != key and words <= w]
        if other and not own:
            reasons.append(f"names {name} as {title}, but the passage gives that title to {other[0][0]} "
                           f"(“{other[0][1]} {other[0][0]}”)")
    return reasons
