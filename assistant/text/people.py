"""Who is who in the articles: people and organisations from spaCy's NER, merged across mentions
("Von der Leyen" = "Ursula von der Leyen"), each with its fullest name and the role the articles give it
(a title before the name or an appositive after it, read off the dependency parse).

The small English model labels one name differently from sentence to sentence ("Kubilius" PERSON here,
ORG there) and misses some; a name is a person when any of its mentions is one, and its full form is the
longest run of proper nouns that ends in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .words import fold, without_possessive

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

ACTOR_LABELS = frozenset({"PERSON", "ORG"})
# Words that head a title rather than a name ("Prime Minister Narendra Modi"): a general list of offices.
TITLE_WORDS = frozenset("""mr mrs ms dr prof sir dame president vice minister premier chancellor secretary commissioner
governor senator mayor king queen prince princess chief director chairman chairwoman chair judge justice officer
spokesman spokeswoman spokesperson general ambassador leader representative rep sen gov coach manager captain
envoy sheikh pope bishop cardinal professor detective inspector sergeant lieutenant colonel major admiral""".split())
_ROLE_DEPS = frozenset({"compound", "nmod", "amod"})
_MAX_ROLE_WORDS = 12
_TITLE_MARKS = "-'’&.,"  # punctuation a title may hold ("Procter & Gamble's chief", "vice-president")


@dataclass(frozen=True)
class Mention:
    """One mention of an actor in a parsed text: its key, its written form, spaCy's label, its role there
    (if the text gives one) and whether the actor is the subject of a verb there."""

    key: str
    name: str
    label: str
    role: str
    acting: bool


@dataclass
class Actor:
    """An actor merged over all its mentions."""

    key: str
    name: str = ""
    role: str = ""
    person: bool = False
    mentions: int = 0
    acting: int = 0
    forms: list[str] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        """Whether the surname is written with different first names ("Ed" and "Justine Miliband", neither
        the end of the other as "von der Leyen" is of "Ursula von der Leyen"): then it names several
        people, and the fullest form is not the name of every mention."""
        forms = {tuple(fold(f).lower().split()) for f in self.forms}
        longest = [f for f in forms if len(f) >= 2 and not any(g != f and g[-len(f):] == f for g in forms)]
        return len(longest) > 1

    @property
    def label(self) -> str:
        """"Andrius Kubilius, EU Commissioner for Defence and Space" (the name alone without a role)."""
        return f"{self.name}, {self.role}" if self.role else self.name


def name_key(name: str) -> str:
    """A name's last word, folded: "Ursula von der Leyen" and "von der Leyen's" are one actor."""
    words = [w for w in without_possessive(name).split() if w]
    return fold(words[-1]).lower().strip(".,") if words else ""


def _clean(text: str) -> str:
    text = re.sub(r"['’]s?$", "", " ".join(text.split())).strip(" ,")
    return re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)


def full_span(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The name at tokens [start, end) with the first names before it ("Andrius" + "Kubilius"): proper
    nouns that modify it as compounds, stopping at a title word or a determiner, and at a sentence's first word
    once the name has two capitalised words ("Trust Taylor Swift to …" names Taylor Swift)."""
    root = doc[start:end].root
    i = start
    while i > 0:
        tok = doc[i - 1]
        if tok.pos_ != "PROPN" or tok.dep_ != "compound" or not (root.i >= tok.head.i >= i - 1) or not tok.is_title:
            break
        if tok.lower_.strip(".") in TITLE_WORDS or _title_object(tok):
            break
        if tok.i == tok.sent.start and sum(t.is_title for t in doc[i:end]) >= 2:
            break  # a sentence's capitalised first word before a first and last name is no part of it ("Trust")
        i -= 1
    return i, end


def _title_object(tok: Token) -> bool:
    """Whether ``tok`` follows a preposition of an office ("Commissioner for Defence Andrius Kubilius"): it
    ends the title, it does not open the name."""
    prep = tok.doc[tok.i - 1] if tok.i else None
    if prep is None or prep.pos_ != "ADP":
        return False
    heads = [prep.head, prep.head.head]
    return any(h.i < prep.i and h.lower_.strip(".") in TITLE_WORDS for h in heads)


def role_of(doc: Doc, start: int, end: int) -> str:
    """The role the text gives the name at tokens [start, end): an appositive ("John Smith, the chief
    executive of Acme,"), a title before it ("Minister of State for Defence Sanjay Seth"), or a title it
    hangs off by a preposition, as the small parser often reads "the EU Commissioner for Defence and
    Space Andrius Kubilius"."""
    inside = set(range(start, end))
    for tok in doc[start:end]:
        for child in tok.children:
            if child.dep_ == "appos" and child.i >= end and child.pos_ in ("NOUN", "PROPN"):
                return _role_text(doc[child.left_edge.i:child.right_edge.i + 1])
    left = [c.left_edge.i for tok in doc[start:end] for c in tok.children
            if c.i < start and c.dep_ in _ROLE_DEPS and c.i not in inside]
    root = doc[start:end].root
    title = root.head.head
    if root.dep_ == "pobj" and root.head.dep_ == "prep" and title.i < start and title.pos_ in ("NOUN", "PROPN") \
            and title.is_title and title.ent_type_ != "PERSON":  # "Ramy Youssef as Zohran Mamdani" is no title
        left.append(title.left_edge.i)  # "Commissioner for Defence and Space Andrius Kubilius"
    return _role_text(doc[min(left):start]) if left else ""


def copula_role(doc: Doc, start: int, end: int) -> str:
    """The title a copula gives the name at tokens [start, end) when it is the verb's subject ("Sanjay Seth is
    the Minister of State for Defence"), or ""."""
    root = doc[start:end].root
    if root.dep_ != "nsubj" or root.head.lemma_ != "be":
        return ""
    complement = next((c for c in root.head.children if c.dep_ == "attr" and c.pos_ in ("NOUN", "PROPN")), None)
    if complement is None:
        return ""
    return _role_text(doc[complement.left_edge.i:complement.right_edge.i + 1])


def _role_text(span: Span) -> str:
    words = [t for t in span if not (t.i == span.start and t.dep_ == "det")]
    if not words or len(words) > _MAX_ROLE_WORDS or any(t.pos_ in ("VERB", "AUX", "PRON") for t in words):
        return ""
    # a symbol that is no punctuation of a title ends what comes before it ("WASHINGTON − Defense Secretary":
    # a dateline's dash)
    cut = [i for i, t in enumerate(words)
           if not t.is_punct and not any(c.isalnum() for c in t.text) and t.text not in _TITLE_MARKS]
    words = words[cut[-1] + 1:] if cut else words
    if not words or any(t.is_punct and t.text not in _TITLE_MARKS for t in words) or words[-1].is_punct:
        return ""
    if not any(t.pos_ in ("NOUN", "PROPN") for t in words) or words[-1].pos_ not in ("NOUN", "PROPN"):
        return ""
    text = _clean(span.doc[words[0].i:words[-1].i + 1].text)
    return text if text and text[0].isalpha() else ""


def acting(token: Token) -> bool:
    """Whether the name whose head is ``token`` is the subject or agent of a verb (also as one of several
    joined subjects: "Seth and Kubilius explored")."""
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
    if token.dep_ in ("nsubj", "nsubjpass"):
        return True
    return token.dep_ == "pobj" and token.head.dep_ == "agent"


def mentions(doc: Doc, person_keys: frozenset[str] = frozenset()) -> list[Mention]:
    """Every person or organisation named in ``doc``; with ``person_keys``, also the proper nouns NER
    missed that end in a known person's name (as PERSON)."""
    from .nlp import entities

    out: list[Mention] = []
    covered: set[int] = set()
    for ent in entities(doc):
        span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
        if span is None:
            continue
        covered.update(range(span.start, span.end))
        if ent.label in ACTOR_LABELS and any(t.pos_ == "PROPN" for t in span):
            out.extend(_mention(doc, span.start, span.end, ent.label))
    for tok in doc:
        if tok.i not in covered and tok.pos_ == "PROPN" and name_key(tok.text) in person_keys:
            out.extend(_mention(doc, tok.i, tok.i + 1, "PERSON"))
    return out


def _mention(doc: Doc, start: int, end: int, label: str) -> list[Mention]:
    while start < end and not any(c.isalpha() for c in doc[start].text):
        start += 1  # a name opens on a letter: the small model may take in a dateline's dash ("− Defense")
    start, end = full_span(doc, start, end)
    name = _clean(doc[start:end].text)
    key = name_key(name)
    if not key or len(key) < 2:
        return []
    return [Mention(key, name, label, role_of(doc, start, end), acting(doc[start:end].root))]


def merge(found: Iterable[Mention]) -> dict[str, Actor]:
    """Actors by key: a person when any mention is one; the longest form as the name (a person's form
    must have its surname last); the first role given."""
    actors: dict[str, Actor] = {}
    for m in found:
        actor = actors.setdefault(m.key, Actor(m.key))
        actor.mentions += 1
        actor.acting += m.acting
        actor.person = actor.person or m.label == "PERSON"
        actor.forms.append(m.name)
        if m.role and not actor.role:
            actor.role = m.role
    for actor in actors.values():
        actor.name = max(actor.forms, key=lambda f: (len(f.split()), len(f)))
    _spell_out(actors)
    return actors


def _spell_out(actors: dict[str, Actor]) -> None:
    """An organisation named by an acronym gets the name it abbreviates when another actor's initials
    spell it ("EU" -> "European Union (EU)")."""
    for actor in actors.values():
        if actor.person or not actor.name.isupper() or len(actor.name) < 2:
            continue
        for other in actors.values():
            words = [w for w in other.name.split() if w[:1].isupper()]
            if other is not actor and len(words) > 1 and "".join(w[0] for w in words) == actor.name:
                actor.name = f"{other.name} ({actor.name})"
                break


def people_in(doc: Doc, known: dict[str, Actor]) -> list[Actor]:
    """The known people named in ``doc``, in order of mention, each once."""
    seen: dict[str, Actor] = {}
    for m in mentions(doc, frozenset(k for k, a in known.items() if a.person)):
        actor = known.get(m.key)
        if actor is not None and actor.person:
            seen.setdefault(m.key, actor)
    return list(seen.values())


def cast(texts: Sequence[str]) -> dict[str, Actor]:
    """The actors of a set of texts (each parsed once, cached)."""
    from .nlp import parse_many

    docs = parse_many(list(texts))
    first = merge(m for doc in docs for m in mentions(doc))
    persons = frozenset(k for k, a in first.items() if a.person)
    return merge(m for doc in docs for m in mentions(doc, persons))
