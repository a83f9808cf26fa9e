"""What a question wants: the answer type (person, organisation, place, date, number, amount, percentage,
thing, yes/no, reason, list) and the words the answer must attach to, read from spaCy's parse of the question.

The type comes from the question word and, for "which/what X", from X (the noun the question word
determines) looked up in ``TYPE_NOUNS``: a general lexicon of type nouns, the way an NER scheme describes its
labels, not words taken from any dev question. The answer's constraints are the question's content lemmas
and names; extraction (``extract.py``) scores candidates by how close they sit to them in a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text.mentions import find_numbers
from ..text.nlp import entities, parse
from ..text.words import SAYING

LABELS: dict[str, frozenset[str]] = {
    "person": frozenset({"PERSON"}),
    "organisation": frozenset({"ORG"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": frozenset({"CARDINAL", "QUANTITY"}),
    "amount": frozenset({"MONEY"}),
    "percentage": frozenset({"PERCENT"}),
    "thing": frozenset({"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "PERSON",
                        "TERM"}),
}
"""spaCy entity labels that can fill each answer type ("thing": any name, or a short quoted term, ``TERM``:
the word of the year, a nickname, a slogan)."""
TYPED = frozenset({"person", "organisation", "place", "date", "number", "amount", "percentage"})
"""Types whose answer is an entity of a known label: without one in the evidence, the answer abstains."""

TYPE_NOUNS: dict[str, str] = {
    **dict.fromkeys("person people man woman individual player leader president minister official executive ceo "
                    "founder actor actress singer artist author writer coach politician senator governor judge "
                    "candidate athlete star musician director chancellor king queen prince pope manager "
                    "rapper comedian host anchor journalist scientist activist".split(), "person"),
    **dict.fromkeys("company organisation organization firm group agency institution team club party "
                    "network brand bank union league band startup airline retailer maker manufacturer "
                    "government court committee council university school newspaper outlet".split(), "organisation"),
    **dict.fromkeys("country city state nation place town region province capital island continent county "
                    "location village territory venue stadium airport park river mountain ocean sea".split(), "place"),
    **dict.fromkeys("year date day month time decade century season week".split(), "date"),
    **dict.fromkeys("percentage percent proportion share".split(), "percentage"),
    **dict.fromkeys("price cost amount sum salary fine fee budget revenue worth".split(), "amount"),
    **dict.fromkeys("number count total".split(), "number"),
}
_YES_NO = frozenset("did does do is was were are has have had can could would will should".split())
WH_WORDS = frozenset("who whom whose which what when where why how".split())
ARGUMENT_ROLES = {"nsubj": "agent", "nsubjpass": "patient", "dobj": "patient", "dative": "patient"}
"""A verb's argument by its dependency: the doer (active subject) or the one done to (object, passive subject)."""


@dataclass
class Want:
    """The answer type a question asks for, the noun naming it ('country'), and what the answer must attach to."""

    type: str
    noun: str | None = None
    focus: list[str] = field(default_factory=list)  # content lemmas of the question, lower case
    names: list[str] = field(default_factory=list)  # named entities in the question
    subject: str | None = None  # "Who is Kubilius?": the name to describe (the answer is who or what it is)
    role: tuple[str, str] | None = None  # ("award", "patient") for "Who was awarded …?": the answer's part in the verb
    unit: str | None = None  # "how many days": what is counted
    phrase: str | None = None  # the noun with its modifiers as the question writes them ("drug cartel")
    speaker: str | None = None  # "What did the defence ministry say?": whose statement is the answer
    act: tuple[str, str | None] | None = None  # ("counter", "threat"): the question word's verb and its object
    count: int | None = None  # "which two states": how many the answer names
    doers: list[str] = field(default_factory=list)  # "What did Seth and Kubilius discuss?": the names doing the act

    @property
    def labels(self) -> frozenset[str]:
        """The entity labels that can answer; a count of time units ("30 days") is labelled a date or a time."""
        labels = LABELS.get(self.type, frozenset())
        if self.type == "number" and self.unit and TYPE_NOUNS.get(self.unit) == "date":
            return labels | LABELS["date"]
        return labels

    @property
    def typed(self) -> bool:
        return self.type in TYPED


def _wh_noun(doc) -> tuple[str | None, str | None]:
    """The question word and, for 'which/what (kind of) X', the noun X."""
    for tok in doc:
        low = tok.lower_
        if low not in WH_WORDS:
            continue
        if low == "which" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "of":
            return low, _partitive_noun(doc, tok.i + 2)
        counted = doc[tok.i + 1] if tok.i + 1 < len(doc) and doc[tok.i + 1].dep_ == "nummod" else None
        if low in ("which", "what") and counted is not None and counted.head.pos_ == "NOUN":
            return low, counted.head.lemma_.lower()  # "Which two states …?" (the parser seldom makes it a det)
        if low in ("which", "what", "whose") and tok.dep_ in ("det", "attr", "nsubj", "dobj", "pobj") or low == "how":
            nxt = [t for t in doc[tok.i + 1: tok.i + 4] if t.pos_ in ("NOUN", "PROPN", "ADJ", "ADV")]
            if low == "how" and nxt:
                return low, nxt[0].lower_
            head = tok.head if tok.dep_ == "det" else _copula_noun(tok) or next(
                (t for t in nxt if t.pos_ == "NOUN" and t.dep_ != "compound"), None)
            if head is not None and head.lemma_.lower() in ("kind", "type", "sort", "name"):
                head = next((c for c in head.children if c.dep_ == "prep"), head)
                head = next((c for c in head.children if c.dep_ == "pobj"), head)
            return low, head.lemma_.lower() if head is not None and head.pos_ in ("NOUN", "PROPN") else None
        return low, None
    return None, None


PARTITIVE_SPAN = 4
"""Words after "which of" searched for the noun of the partitive ("which of the following three companies")."""


def _partitive_noun(doc, start: int) -> str | None:
    """The noun a partitive "which of the (following) X" chooses among, read from the words after "of" (the
    parser may attach "of" elsewhere, so not from its children); None for "which of the following?", where
    "following" is itself the noun."""
    for t in doc[start: start + PARTITIVE_SPAN]:
        if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound":
            return None if t.lemma_.lower() == "following" else t.lemma_.lower()
        if t.pos_ not in ("DET", "ADJ", "VERB", "NUM", "NOUN", "PROPN"):
            return None
    return None


def _copula_noun(wh):
    """The noun a "what is the X …?" question asks for: the other argument of its "be" ("the average price"
    -> "price", the head of its phrase, not a modifier such as "list" in "the list price")."""
    if wh.dep_ not in ("attr", "nsubj") or wh.head.lemma_ != "be":
        return None
    return next((c for c in wh.head.children if c is not wh and c.dep_ in ("attr", "nsubj") and c.pos_ == "NOUN"), None)


def _type_of(doc, word: str | None, noun: str | None) -> str:
    first = doc[0].lower_ if len(doc) else ""
    if word is None:
        return "yesno" if first in _YES_NO else "thing"
    if word in ("who", "whom"):
        return "person"
    if word == "when":
        return "date"
    if word == "where":
        return "place"
    if word == "why":
        return "reason"
    if word == "how":
        if noun in ("many",):
            return "number"
        if noun in ("much",):
            return "amount"
        if noun in ("long", "old", "far", "big", "tall", "large", "high"):
            return "number"
        return "reason"
    if noun and noun in TYPE_NOUNS:
        return TYPE_NOUNS[noun]
    if noun and noun.endswith("s") and noun[:-1] in TYPE_NOUNS:
        return TYPE_NOUNS[noun[:-1]]
    if word == "whose":
        return "person"
    return "list" if noun and doc_has_plural(doc, noun) else "thing"


def doc_has_plural(doc, noun: str) -> bool:
    return any(t.lemma_.lower() == noun and t.tag_ in ("NNS", "NNPS") for t in doc)


def wanted(question: str) -> Want:
    """The answer type and constraints of ``question`` (one spaCy parse, cached)."""
    doc = parse(question)
    word, noun = _wh_noun(doc)
    kind = _type_of(doc, word, noun)
    focus = [t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM")
             and t.lemma_.lower() != noun]
    names = [e.text for e in entities(doc) if e.label in LABELS["thing"]]
    role = _role(doc, word)
    return Want(kind, noun, list(dict.fromkeys(focus)), names, _subject(doc, word, noun), role,
                _unit(doc, word, noun), _noun_phrase(doc, noun), _speaker(doc, word, noun, role), _act(doc, role),
                _count(doc, noun), _doers(doc, role, names))


def is_verb(tok) -> bool:
    """A verb by its tag, or by the parse: a word with a subject or an auxiliary of its own is a verb whatever
    the tagger says ("What did Seth and Kubilius discuss?" tags "discuss" a noun)."""
    return tok.pos_ in ("VERB", "AUX") or any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in tok.children)


def _asked_verb(doc, role: tuple[str, str]):
    """The question's token of the verb the question word is an argument of."""
    return next((t for t in doc if t.lemma_.lower() == role[0] and is_verb(t)), None)


def _subject_of(verb):
    """The verb's active subject (None without a verb or a subject)."""
    return next((c for c in verb.children if c.dep_ == "nsubj"), None) if verb is not None else None


def _act(doc, role: tuple[str, str] | None) -> tuple[str, str | None] | None:
    """The act the question asks about: the question word's verb and the lemma of its direct object when that
    is no part of what is asked ("… join forces on?" -> ("join", "force"); "What threats would the partnership
    counter?" -> ("counter", None): the answer is its object)."""
    if role is None:
        return None
    verb = _asked_verb(doc, role)
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None) if verb is not None else None
    asked = obj is not None and (obj.lower_ in WH_WORDS or any(c.lower_ in WH_WORDS for c in obj.children))
    return role[0], obj.lemma_.lower() if obj is not None and not asked else None


def _doers(doc, role: tuple[str, str] | None, names: list[str]) -> list[str]:
    """The question's names in the subject of the question word's verb, when the question word is its object:
    who does the act asked about ("What did Seth and Kubilius discuss?" -> Seth, Kubilius)."""
    if role is None or role[1] != "patient":
        return []
    subject = _subject_of(_asked_verb(doc, role))
    if subject is None:
        return []
    # a proper name, not a capitalised opening noun the NER took for one ("Wildfires devastated which …?")
    proper = {t.text for t in subject.subtree if t.pos_ == "PROPN"}
    return [n for n in names if (words := {w for w in n.split() if w[:1].isupper()}) and words <= proper]


def _speaker(doc, word: str | None, noun: str | None, role: tuple[str, str] | None) -> str | None:
    """The subject of the verb of saying a bare "what" is the object of ("What did Kubilius say about …?" ->
    "Kubilius"), with its determiners and modifiers ("the defence ministry"); None for any other question."""
    if word != "what" or noun is not None or role is None or role[1] != "patient" \
            or role[0] not in SAYING:
        return None
    subject = _subject_of(_asked_verb(doc, role))
    if subject is None or subject.pos_ == "PRON":
        return None
    return "".join(t.text_with_ws for t in subject.subtree).strip() or None


def _noun_token(doc, noun: str | None):
    """The question's token of the noun the question word determines."""
    return next((t for t in doc if noun and t.lemma_.lower() == noun and t.pos_ in ("NOUN", "PROPN")), None)


def _count(doc, noun: str | None) -> int | None:
    """How many the question's noun asks for ("Which two states …?" -> 2); None for one or no number."""
    tok = _noun_token(doc, noun)
    number = next((c for c in tok.children if c.dep_ == "nummod"), None) if tok is not None else None
    values = find_numbers(number.text) if number is not None else []
    return int(values[0].raw) if values and values[0].raw >= 2 and values[0].raw == int(values[0].raw) else None


def _noun_phrase(doc, noun: str | None) -> str | None:
    """The question's noun X with the compounds and adjectives before it ("which drug cartel" -> "drug
    cartel"): what a candidate should be an instance of."""
    tok = _noun_token(doc, noun)
    if tok is None:
        return None
    lefts = [c for c in tok.lefts if c.dep_ in ("compound", "amod", "nmod")]
    start = min((c.left_edge.i for c in lefts), default=tok.i)
    words = [t.text for t in doc[start:tok.i + 1] if not t.is_punct and t.dep_ not in ("det", "poss", "case")]
    return " ".join(words) or None


def _unit(doc, word: str | None, noun: str | None) -> str | None:
    """The noun a "how many/much" question counts ("how many days" -> "day")."""
    if word != "how" or noun not in ("many", "much"):
        return None
    at = next((t.i for t in doc if t.lower_ == noun), None)
    counted = next((t for t in doc[at + 1: at + 3] if t.pos_ == "NOUN"), None) if at is not None else None
    return counted.lemma_.lower() if counted is not None else None


def _role(doc, word: str | None) -> tuple[str, str] | None:
    """The verb the question word (or the noun it determines) is an argument of, and which: "agent" for
    the subject of an active verb ("Who awarded …?"), "patient" for the subject of a passive one or an
    object ("Who was awarded …?", "Whom did she pick?"). None for "be" and for anything else."""
    if word is None:
        return None
    wh = next((t for t in doc if t.lower_ == word), None)
    arg = wh.head if wh is not None and wh.dep_ == "det" else wh
    if arg is None or not is_verb(arg.head) or arg.head.lemma_ == "be":
        return None
    role = ARGUMENT_ROLES.get(arg.dep_)
    return (arg.head.lemma_.lower(), role) if role else None


def _subject(doc, word: str | None, noun: str | None) -> str | None:
    """The proper name a 'who/what is NAME?' question asks to describe (its verb is 'be', nothing else asked)."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if word not in ("who", "what") or noun is not None or root is None or root.lemma_ != "be":
        return None
    rest = [t for t in doc[root.i + 1:] if not t.is_punct and t.pos_ != "DET"]
    names = [e for e in entities(doc) if e.start >= root.idx]
    if names and all(names[0].start <= t.idx < names[0].end for t in rest):
        return names[0].text
    if rest and all(t.pos_ == "PROPN" for t in rest):
        return " ".join(t.text for t in rest)
    return None


_PART_BREAK = re.compile(r",?\s+and\s+(?=(?:who|whom|whose|what|which|when|where|why|how)\b)", re.I)
_PRONOUN = re.compile(r"\b(?:he|she|him|her)\b", re.I)


def parts(question: str) -> list[str]:
    """A multi-part question's questions ('Who is X and why is he in India?' -> two), pronouns in the later
    parts replaced by the first part's person ('why is Kubilius in India')."""
    pieces = [p.strip(" ?") for p in _PART_BREAK.split(question) if p.strip(" ?")]
    if len(pieces) < 2:
        return [question]
    doc = parse(pieces[0])
    names = [e.text for e in entities(doc) if e.label == "PERSON"]
    if not names and doc[0].lower_ in ("who", "whom"):  # spaCy may miss a lone surname: the subject asked about
        names = [t.text for t in doc if t.pos_ == "PROPN"][-1:]
    if names:
        pieces = [pieces[0], *(_PRONOUN.sub(names[-1], p, count=1) for p in pieces[1:])]
    return [p + "?" for p in pieces]
