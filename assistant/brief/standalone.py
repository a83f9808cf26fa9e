"""Sentences that stand alone: a briefing line lifted out of its article must not open on a pronoun whose
referent stayed behind ("They comprehensively discussed…" — who?).

The referent is looked for in the sentence before it in the same article (spaCy's parse and NER): "he" or
"she" is the one person named there (or the one who is the subject), "they" the several people named
there, "it" the one organisation, or the subject of a verb of saying ("…, the defence ministry said. It
said…"). A pronoun with no such referent makes the line unusable as prose; it is skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .people import Actor, people_in

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SINGULAR = frozenset({"he", "she", "him", "his", "her"})
PLURAL = frozenset({"they", "them", "their"})
THING = frozenset({"it", "its"})
DEMONSTRATIVE = frozenset({"this", "that", "these", "those"})
POSSESSIVE = frozenset({"his", "her", "their", "its"})
_SAYING = frozenset("say tell add state announce confirm report note explain claim".split())


def opening_pronoun(doc: Doc) -> Token | None:
    """The pronoun ``doc`` opens on (after quotes or brackets), or the pronoun that is the subject of its
    main verb before that verb ("In an address, she pitched…"); None when there is neither (a
    determiner such as "This week" is no pronoun)."""
    first = next((t for t in doc if not (t.is_punct or t.is_space)), None)
    if first is not None and _pronoun(first):
        return first
    for tok in doc:
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT" and tok.i < tok.head.i and _pronoun(tok):
            return tok
    return None


def _pronoun(tok: Token) -> bool:
    word = tok.lower_
    return word in SINGULAR | PLURAL | THING or (word in DEMONSTRATIVE and tok.pos_ == "PRON")


def referent(pronoun: str, previous: Doc, known: dict[str, Actor]) -> str:
    """Who or what ``pronoun`` stands for, from the sentence before it; "" when that is not clear."""
    if pronoun in DEMONSTRATIVE:
        return ""  # "This is why…" points at an event, not a name
    people = people_in(previous, known)
    if pronoun in SINGULAR:
        if len(people) == 1:
            return people[0].name
        subjects = [a for a in people if _is_subject(previous, a)]
        return subjects[0].name if len(subjects) == 1 else ""
    if pronoun in PLURAL:
        return " and ".join(a.name for a in people) if len(people) >= 2 else ""
    return _thing(previous)


def _is_subject(doc: Doc, actor: Actor) -> bool:
    """Whether ``actor`` is the subject or the agent ("made by X") of a verb in ``doc``."""
    return any((t.dep_ in ("nsubj", "nsubjpass") or t.dep_ == "pobj" and t.head.dep_ == "agent")
               and t.text in actor.name.split() for t in doc)


def _thing(doc: Doc) -> str:
    """The organisation "it" stands for: the subject of a verb of saying, else the one ORG named."""
    for tok in doc:
        if tok.dep_ == "nsubj" and tok.head.lemma_ in _SAYING and tok.pos_ in ("NOUN", "PROPN"):
            return doc[tok.left_edge.i:tok.i + 1].text
    from ..text.nlp import entities

    orgs = {e.text for e in entities(doc) if e.label == "ORG"}
    return orgs.pop() if len(orgs) == 1 else ""


def stand_alone(text: str, doc: Doc, previous: Doc | None, known: dict[str, Actor]) -> str | None:
    """``text`` with an opening pronoun replaced by its referent; ``text`` itself when it opens on none;
    None when it opens on one whose referent is not clear (the line is skipped)."""
    tok = opening_pronoun(doc)
    if tok is None:
        return text
    pronoun = tok.lower_
    name = referent(pronoun, previous, known) if previous is not None else ""
    if not name:
        return None
    start, end = tok.idx, tok.idx + len(tok.text)
    if pronoun in POSSESSIVE:
        name += "’" if name.endswith("s") else "’s"
    if start == 0 or not text[:start].strip("\"'“‘( "):
        name = name[:1].upper() + name[1:]
    return text[:start] + name + text[end:]
