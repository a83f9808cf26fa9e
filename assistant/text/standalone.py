"""Sentences that stand alone: a briefing line or an answer sentence lifted out of its article must not open on
a pronoun whose referent stayed behind ("They comprehensively discussed…" — who?).

The referent is looked for in the sentence before it in the same article (spaCy's parse and NER): "he" or
"she" is the one person who is the subject there, named in full somewhere in the articles ("Labour", which
the small model sometimes labels a person, is no referent); "they" the several people named there; "it",
as the subject of a verb of saying, the subject of a verb of saying there ("…, the defence ministry said.
It said…"), and "its" the one organisation named there. A surname that several people share ("Ed" and
"Justine Miliband") is written as the sentence before writes it, or not at all. A pronoun inside a
quotation is the speaker's and cannot be rewritten. A pronoun with no such referent makes a briefing line unusable
as prose (it is skipped); an answer keeps the sentence as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .mentions import QUOTE_RES
from .people import Actor, mentions
from .words import SAYING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SINGULAR = frozenset({"he", "she", "him", "his", "her"})
PLURAL = frozenset({"they", "them", "their"})
THING = frozenset({"it", "its"})
DEMONSTRATIVE = frozenset({"this", "that", "these", "those"})
POSSESSIVE = frozenset({"his", "her", "their", "its"})
RAISING = frozenset("seem appear emerge transpire happen".split())  # "It seems (that)…": no referent
COPULAS = frozenset("be remain become".split())
CLAUSES = frozenset({"ccomp", "xcomp", "csubj", "csubjpass"})


def opening_pronoun(doc: Doc) -> Token | None:
    """The pronoun ``doc`` opens on (after brackets), or the pronoun that is the subject of its main verb
    before that verb ("In an address, she pitched…"); None when there is neither (a determiner such as
    "This week" is no pronoun). Words inside quotation marks are the speaker's and are passed over."""
    inside = _quoted(doc.text)
    first = next((t for t in doc if not (t.is_punct or t.is_space)), None)
    if first is not None and _pronoun(first) and not inside(first.idx) and not expletive(first):
        return first
    for tok in doc:
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT" and tok.i < tok.head.i and _pronoun(tok) \
                and not inside(tok.idx) and not expletive(tok):
            return tok
    return None


def expletive(tok: Token) -> bool:
    """Whether ``tok`` is the dummy "it" of an extraposed clause, which stands for nothing: "It is understood
    (that)…", "it has been claimed…" (a passive verb with a clause), "It seems…", "it appears…" (a raising
    verb with a clause), "It's amazing what…", "It remains unclear whether…" (a copula with an adjective and a
    clause; "It's a video that…" is a thing's). "It said it would appeal" is an organisation's."""
    if tok.lower_ != "it":
        return False
    if tok.dep_ == "expl":
        return True
    head = tok.head
    deps = {c.dep_ for c in head.children}
    if not deps & CLAUSES:
        return False
    return tok.dep_ == "nsubjpass" or head.lemma_ in RAISING or (
        head.lemma_ in COPULAS and "acomp" in deps)


def quoted_pronoun(doc: Doc) -> bool:
    """Whether ``doc`` opens on a quotation whose first word is a pronoun ("'They have a kid together.")."""
    first = next((t for t in doc if not (t.is_punct or t.is_space)), None)
    return first is not None and _pronoun(first) and _quoted(doc.text)(first.idx)


def _quoted(text: str):  # -> Callable[[int], bool]
    """Whether a character offset of ``text`` is inside quotation marks; a quotation opened at the start and
    not closed in ``text`` runs to its end (it goes on in the next sentence)."""
    spans = [m.span() for pattern in QUOTE_RES for m in pattern.finditer(text)]
    stripped = text.lstrip("( ")
    if stripped[:1] in "\"'“‘" and not any(start <= len(text) - len(stripped) < end for start, end in spans):
        spans.append((0, len(text)))
    return lambda offset: any(start <= offset < end for start, end in spans)


def _pronoun(tok: Token) -> bool:
    word = tok.lower_
    return word in SINGULAR | PLURAL | THING or (word in DEMONSTRATIVE and tok.pos_ == "PRON")


def referent(pronoun: Token, previous: Doc, known: dict[str, Actor]) -> str:
    """Who or what ``pronoun`` stands for, from the sentence before it; "" when that is not clear."""
    word = pronoun.lower_
    if word in DEMONSTRATIVE:
        return ""  # "This is why…" points at an event, not a name
    people = _people_in(previous, known)
    if word in SINGULAR:
        subjects = [name for name, is_subject in people.items() if is_subject]
        return subjects[0] if len(subjects) == 1 and len(subjects[0].split()) >= 2 else ""
    if word in PLURAL:
        return " and ".join(people) if len(people) >= 2 and "" not in people else ""
    return _thing(previous, saying=pronoun.head.lemma_ in SAYING, possessive=word in POSSESSIVE)


def _people_in(doc: Doc, known: dict[str, Actor]) -> dict[str, bool]:
    """The known people named in ``doc`` in order of mention, each by its full name (or, for a surname
    that several people share, the form ``doc`` writes; "" when that is the surname alone), and whether
    they are the subject or agent of a verb there."""
    out: dict[str, bool] = {}
    for m in mentions(doc, frozenset(k for k, a in known.items() if a.person)):
        actor = known.get(m.key)
        if actor is not None and actor.person:
            name = m.name if actor.shared else actor.name
            name = name if len(name.split()) >= 2 or not actor.shared else ""
            out[name] = out.get(name, False) or m.acting
    return out


def _thing(doc: Doc, saying: bool, possessive: bool) -> str:
    """The organisation "it" stands for: as the subject of a verb of saying, the subject of a verb of
    saying in ``doc``; "its", the one organisation named there. Any other "it" ("It was too late") is
    no organisation's."""
    if saying:
        for tok in doc:
            if tok.dep_ == "nsubj" and tok.head.lemma_ in SAYING and tok.pos_ in ("NOUN", "PROPN"):
                return doc[tok.left_edge.i:tok.i + 1].text
    if not possessive:
        return ""
    from .nlp import entities

    orgs = {e.text for e in entities(doc) if e.label == "ORG"}
    return orgs.pop() if len(orgs) == 1 else ""


def stand_alone(text: str, doc: Doc, previous: Doc | None, known: dict[str, Actor]) -> str | None:
    """``text`` with an opening pronoun replaced by its referent; ``text`` itself when it opens on none;
    None when it opens on one whose referent is not clear (the line is skipped)."""
    found = resolved(text, doc, previous, known)
    return found[0] if found is not None else None


def resolved(text: str, doc: Doc, previous: Doc | None, known: dict[str, Actor]) -> tuple[str, str] | None:
    """``stand_alone``'s text and the referent written into it ("" when none was needed)."""
    if quoted_pronoun(doc):
        return None
    tok = opening_pronoun(doc)
    if tok is None:
        return text, ""
    pronoun = tok.lower_
    name = referent(tok, previous, known) if previous is not None else ""
    if not name:
        return None
    written = name
    start, end = tok.idx, tok.idx + len(tok.text)
    if pronoun in POSSESSIVE:
        name += "’" if name.endswith("s") else "’s"
    if start == 0 or not text[:start].strip("\"'“‘( "):
        name = name[:1].upper() + name[1:]
    return text[:start] + name + text[end:], written


def reporting_it(doc: Doc) -> Token | None:
    """The "it" of a trailing attribution ("They considered …, it said in a statement."): the subject of a verb
    of saying, after a comma, outside quotation marks."""
    inside = _quoted(doc.text)
    return next((t for t in doc if t.lower_ == "it" and t.dep_ == "nsubj" and t.head.lemma_ in SAYING and t.i > 0
                 and doc[t.i - 1].text == "," and not inside(t.idx)), None)


SAYER_REACH = 3
"""Sentences before a trailing "…, it said" looked through for who is saying it."""


def attributed(text: str, doc: Doc, before: Sequence[Doc]) -> tuple[str, str]:
    """``text`` with the "it" of a trailing attribution written as the organisation last saying something in
    the sentences ``before`` it (its article's ``SAYER_REACH`` sentences before it, nearest last; "…, the defence
    ministry said. It said … . They considered …, it said." -> "…, the defence ministry said."), passing over
    sayers that are an "it" themselves, and what was written ("" when nothing was: no such "it", or no named
    sayer there)."""
    tok = reporting_it(doc)
    name = _sayer(before) if tok is not None else ""
    if not name:
        return text, ""
    written = name[:1].lower() + name[1:] if name.split()[0] in ("The", "A", "An") else name
    return text[:tok.idx] + written + text[tok.idx + len(tok.text):], written


def _sayer(docs: Sequence[Doc]) -> str:
    """The nearest subject of a verb of saying in ``docs`` that is a noun and no person (an "it" saying
    something points further back; any other sayer, or a sentence saying nothing, ends the search)."""
    for doc in reversed(docs):
        subjects = [t for t in doc if t.dep_ == "nsubj" and t.head.lemma_ in SAYING]
        if not subjects:
            return ""
        tok = subjects[-1]
        if tok.lower_ == "it":
            continue
        span = doc[tok.left_edge.i:tok.i + 1]
        if tok.pos_ not in ("NOUN", "PROPN"):
            return ""
        from .nlp import entities

        return "" if any(e.label == "PERSON" for e in entities(span.as_doc())) else span.text  # "it" is no person
    return ""


def role_holders(known: dict[str, Actor]) -> list[Actor]:
    """The people named in full who alone hold their role among ``known``, the longest role first (so
    "European Commission president" is tried before "president"); computed once per note."""
    holders: dict[str, list[Actor]] = {}
    for actor in known.values():
        if actor.person and actor.role and len(actor.name.split()) >= 2:
            holders.setdefault(actor.role.lower(), []).append(actor)
    return [actors[0] for role, actors in sorted(holders.items(), key=lambda kv: -len(kv[0])) if len(actors) == 1]


def named_role(text: str, holders: list[Actor]) -> tuple[str, str]:
    """``text`` with a role standing for a person ("The European Commission president said…") written with
    the name the articles give that role ("European Commission president Ursula von der Leyen said…"), and
    the "role name" written ("" when nothing was). Only a role that one person named in full holds
    (``role_holders``), in a sentence that does not name them."""
    for actor in holders:
        if actor.name.split()[-1].lower() in text.lower():
            continue
        match = re.search(rf"\b[Tt]he {re.escape(actor.role)}\b", text)
        if match is None:
            continue
        written = f"{actor.role} {actor.name}"
        if match.start() == 0:
            written = written[:1].upper() + written[1:]
        return text[:match.start()] + written + text[match.end():], written
    return text, ""
