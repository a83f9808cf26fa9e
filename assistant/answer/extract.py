"""Answer extraction: candidates of the wanted type in the best evidence sentences, ordered by the learned
scorer (``candidate_scorer``) on how tightly they attach to the question's words in that sentence, how many
passages and outlets agree, passage rank and the other signals of ``candidate_features``.

A candidate is a spaCy entity whose label fits the wanted type (``wants.LABELS``), in one of the sentences
closest to the question; names the question already contains are no answer. Its attachment is the
dependency-path length from the entity to the nearest question word in the sentence (the token window when
the parse puts them in different trees). Coordinated entities of the same label ("Japan and South Korea")
are one list answer; a possessive is no part of a name ("Taylor Swift's"), and a short form is the one
longer form ending in it ("Swift" is "Taylor Swift") and an acronym the one candidate spelling it out ("U.K."
is "the United Kingdom"), so agreement counts every mention.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..core.passage import Passage
from ..text.initials import acronym, spelled_out
from ..text.mentions import find_quotes
from ..text.nlp import NAME_LABELS, Entity, entities, parse, parse_many
from ..text.words import whole_phrase, word_keys
from .candidate_features import Vectors, formula, occurrence_score, rows
from .candidate_scorer import shipped
from .evidence import Evidence
from .wants import ARGUMENT_ROLES, LABELS, Want, is_verb

SENTENCES = 14
"""Evidence sentences read for candidates (the best by similarity to the question)."""
TERM_WORDS = 4
"""Most words of a quoted term that can answer a "what" question ("parasocial", "brain rot"); longer quotes
are statements."""


@dataclass
class Occurrence:
    """A candidate in one evidence sentence and how well it answers there."""

    evidence: Evidence
    text: str
    rank: int  # the passage's rank among those read
    closeness: float  # 1 / (1 + dependency path to the nearest question word), 0 with none in the sentence
    covered: float  # share of the question's words in the sentence
    role: int  # +1 in the question word's part of its verb, -1 in the other part, 0 no argument of it
    syntax: int  # +1 an argument (subject, object, object of a preposition, apposition), -1 a noun's modifier
    noun: float  # 1 / (1 + dependency path to the noun the question word determines), 0 with none

    @property
    def score(self) -> float:
        return occurrence_score(self.evidence.score, self.closeness, self.covered, self.rank, self.role)


@dataclass
class Found:
    """A candidate answer and where it occurs, best occurrence first."""

    key: tuple[str, ...]
    label: str
    occurrences: list[Occurrence] = field(default_factory=list)
    score: float = 0.0  # the scorer's probability that it is the answer

    @property
    def text(self) -> str:
        return self.occurrences[0].text

    @property
    def name(self) -> str:
        """Its fullest written form, without an article ("Detroit Lions" when the best sentence writes
        "Lions")."""
        fullest = max((o.text for o in self.occurrences), key=lambda t: (len(word_keys(t)), len(t)))
        return re.sub(r"^(?:the|The)\s+", "", fullest)

    @property
    def articles(self) -> set[str]:
        return {o.evidence.passage.article.id for o in self.occurrences}

    @property
    def best(self) -> Occurrence:
        return self.occurrences[0]


def _path(a, b) -> int:
    """Dependency-path length between two tokens (through their lowest common ancestor)."""
    up = {a.i: 0}
    for depth, tok in enumerate(a.ancestors, 1):
        up[tok.i] = depth
    if b.i in up:
        return up[b.i]
    for depth, tok in enumerate(b.ancestors, 1):
        if tok.i in up:
            return depth + up[tok.i]
    return abs(a.i - b.i)


def _attachment(doc, span, focus: set[str]) -> tuple[float, float]:
    """1 / (1 + the shortest path from the span to a question word) and the share of question words present."""
    hits = [t for t in doc if t.lemma_.lower() in focus and not (span.start <= t.i < span.end)]
    if not hits:
        return 0.0, 0.0
    shortest = min(_path(span.root, t) for t in hits)
    return 1.0 / (1.0 + shortest), len({t.lemma_.lower() for t in hits}) / max(1, len(focus))


ARGUMENTS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "attr", "dative", "appos", "oprd", "ROOT"})
"""Dependencies of a phrase that fills a slot of its clause: what a question's answer is."""
MODIFIERS = frozenset({"poss", "compound", "amod", "nmod"})
"""Dependencies of a name that only qualifies another noun ("Cue's testimony", "the Google deal")."""
ADJUNCTS = MODIFIERS - {"poss"}
"""Of those, a name used as a noun's adjunct: it names something else ("the Oscars YouTube channel"), where a
possessive still names its owner ("Taylor Swift's album")."""


def _syntax(span) -> int:
    """+1 when the span (the first of a coordination) is an argument, -1 a modifier of another noun, else 0."""
    tok = span.root
    while tok.dep_ == "conj" and tok.head is not tok:
        tok = tok.head
    return 1 if tok.dep_ in ARGUMENTS else -1 if tok.dep_ in MODIFIERS else 0


def _noun_closeness(doc, span, noun: str | None) -> float:
    """1 / (1 + the path from the span to the noun the question word determines ("which prosecutor" and
    "prosecutor Danielle Sassoon"), 0 without that noun in the sentence."""
    hits = [t for t in doc if noun and t.lemma_.lower() == noun and not (span.start <= t.i < span.end)]
    return max((1.0 / (1.0 + _path(span.root, t)) for t in hits), default=0.0)


def states_act(doc, act: tuple[str, str | None] | None) -> bool:
    """Whether a sentence's parse does the question's act: the verb, with the question's object as an object
    or passive subject ("to counter common threats", "threats would be countered")."""
    if act is None:
        return False
    verb, obj = act
    return any(t.lemma_.lower() == verb and t.pos_ != "AUX" and is_verb(t) and (obj is None or any(
        c.lemma_.lower() == obj and c.dep_ in ("dobj", "nsubjpass") for c in t.children)) for t in doc)


def _role_of(span, verb: str) -> str | None:
    """The span's part in a verb of lemma ``verb``: agent (active subject, passive "by"), patient (object,
    passive subject, "to" of a giving verb) or None when it is no argument of that verb."""
    tok = span.root
    if tok.dep_ == "pobj" and tok.head.dep_ in ("agent", "dative", "prep"):
        prep, head = tok.head, tok.head.head
        if head.lemma_.lower() != verb:
            return None
        return "agent" if prep.dep_ == "agent" else "patient" if prep.lower_ == "to" else None
    if tok.head.lemma_.lower() != verb:
        return _clause_role(tok, verb)
    return ARGUMENT_ROLES.get(tok.dep_)


def _clause_role(tok, verb: str) -> str | None:
    """The name's part in a clause of lemma ``verb`` that modifies it or, without a subject of its own, its
    clause's subject: a present participle's doer ("Judge Amit Mehta, presiding over the case, leaned …"), a
    past participle's patient ("the man arrested"), or what the relative pronoun is ("Mehta, who presided …")."""
    shared = [c for c in tok.head.children if c.dep_ == "advcl"] if tok.dep_ == "nsubj" else []
    for clause in [*tok.children, *shared]:
        if clause.lemma_.lower() != verb:
            continue
        if clause.dep_ in ("acl", "advcl") and not any(c.dep_.startswith("nsubj") for c in clause.children):
            return "agent" if clause.tag_ == "VBG" else "patient" if clause.tag_ == "VBN" else None
        if clause.dep_ == "relcl":
            pronoun = next((c for c in clause.children if c.tag_ in ("WP", "WDT")), None)
            return ARGUMENT_ROLES.get(pronoun.dep_) if pronoun is not None else None
    return None


def _role_agrees(span, role: tuple[str, str] | None) -> int:
    """+1 when the span is the question word's part of the question's verb, -1 the other part, 0 neither."""
    found = _role_of(span, role[0]) if role is not None else None
    return 0 if found is None else 1 if found == role[1] else -1


_LIST_WORDS = frozenset({"and", "or"})


def _longer_forms(key: tuple[str, ...], keys: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The longer names among ``keys`` that end in ``key``, as a full name ends in the surname ("Alaska" is
    not the "Alaska National Guard"); a list that ends in it ("Sanjay Seth and Andrius Kubilius") is no
    longer form of its last name."""
    return [k for k in keys if len(k) > len(key) and k[len(k) - len(key):] == key
            and not _LIST_WORDS & set(k[:len(k) - len(key)])]


def _with_region(key: tuple[str, ...], found: dict[tuple[str, ...], Found]) -> list[tuple[str, ...]]:
    """The places written as this one followed by its region ("Louisville, Kentucky" for "Louisville"):
    the longer form of a place opens on it, where a person's ends on the surname; a list that opens on it
    ("Jamaica, Cuba and Haiti") is none."""
    if found[key].label not in LABELS["place"]:
        return []
    name = found[key].name
    return [k for k, c in found.items() if k != key and c.label in LABELS["place"] and not _LIST_WORDS & set(k)
            and any(o.text.startswith(f"{name}, ") for o in c.occurrences)]


def _labels(docs) -> dict[tuple[str, ...], set[str]]:
    """The label each name gets most often in the evidence; a short name takes its longer forms' labels
    ('Von der Leyen', ORG in one sentence, is the PERSON 'Ursula von der Leyen' of another)."""
    seen: dict[tuple[str, ...], Counter[str]] = {}
    for doc in docs:
        for e in entities(doc):
            seen.setdefault(tuple(k for k in word_keys(e.text) if k), Counter())[e.label] += 1
    out = {}
    for key, counts in seen.items():
        longer = [seen[k] for k in _longer_forms(key, seen)]
        out[key] = {c.most_common(1)[0][0] for c in longer} if longer else {counts.most_common(1)[0][0]}
    return out


def _known_names(docs) -> dict[str, str]:
    """The names of two or more words the evidence's entities write, each with its label (the first seen)."""
    out: dict[str, str] = {}
    for doc in docs:
        for e in entities(doc):
            if len(e.text.split()) >= 2 and e.label in NAME_LABELS:
                out.setdefault(e.text, e.label)
    return out


def _with_known(doc, found: list[Entity], known: dict[str, str]) -> list[Entity]:
    """``found`` with the known names this sentence writes where the small model tagged none ("… held talks
    with the EU Commissioner for Defence and Space Andrius Kubilius", a person in the evidence's other
    sentences): one name, one label, across the evidence."""
    taken = [(e.start, e.end) for e in found]
    extra = []
    for name, label in sorted(known.items(), key=lambda kv: -len(kv[0])):
        for m in whole_phrase(name).finditer(doc.text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                extra.append(Entity(name, label, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted([*found, *extra], key=lambda e: e.start) if extra else found


def _spans(doc, want: Want, asked: set[str], labels: dict[tuple[str, ...], set[str]], known: dict[str, str]):
    """(char start, char end, label) of the candidates in one parsed sentence."""
    found = _with_known(doc, entities(doc), known)
    ents = [e for e in found if want.labels & labels.get(tuple(k for k in word_keys(e.text) if k), {e.label})
            and _counts(e, want)]
    out = _terms(doc, asked) if "TERM" in want.labels else []
    i = 0
    while i < len(ents):
        start, end, j = _joined_chars(doc, ents, i)
        keys = [k for k in word_keys(doc.text[start:end]) if k]
        if keys and not all(k in asked for k in keys):
            out.append((start, end, ents[i].label))
        i = j + 1
    return out


def _terms(doc, asked: set[str]) -> list[tuple[int, int, str]]:
    """Short quoted terms of the sentence (``TERM``): a quoted word or phrase, not a quoted statement."""
    out = []
    for q in find_quotes(doc.text):
        keys = [k for k in word_keys(q.text) if k]
        if keys and len(q.text.split()) <= TERM_WORDS and not all(k in asked for k in keys) \
                and q.text.rstrip()[-1:] not in ".!?,":
            start = doc.text.index(q.text, q.start)
            out.append((start, start + len(q.text), "TERM"))
    return out


def _counts(ent, want: Want) -> bool:
    """A date or time answers a count only when it counts the question's unit ("30 days" for "how many
    days", not "Tuesday")."""
    if want.type != "number" or ent.label not in ("DATE", "TIME"):
        return True
    return bool(want.unit) and want.unit in ent.text.lower() and len(ent.text.split()) >= 2


def _joined_chars(doc, ents, i: int) -> tuple[int, int, int]:
    """Entities i..j coordinated by 'and' / commas with the same label, as one character span ('Japan and South
    Korea' is one list answer); returns (start, end, j)."""
    start, end, j = ents[i].start, ents[i].end, i
    while j + 1 < len(ents) and ents[j + 1].label == ents[i].label:
        gap = doc.text[ents[j].end:ents[j + 1].start].strip()
        if gap not in ("and", ",", ", and", "&", "or"):
            break
        j += 1
        end = ents[j].end
    return start, end, j


_LIST_BREAK = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+")


def names_in(found: Found) -> int:
    """How many names a candidate lists ("Missouri and Texas": 2), as ``_joined_chars`` joins them."""
    return len([p for p in _LIST_BREAK.split(found.text) if p])


def candidates(want: Want, question: str, ranked: Sequence[Evidence], passages: Sequence[Passage],
               day: date | None, vectors: Vectors | None = None) -> list[Found]:
    """Candidates of ``want``'s type in the ``SENTENCES`` best of ``ranked``, most probably the answer first
    (``day``: the question's day, which the reports' ages are reckoned from, relative to the freshest
    candidate's; ``vectors``: the sentence embedder, for how close a candidate is to the question's noun)."""
    found = gathered(want, question, ranked, passages)
    if found:
        table = rows(found, want, question, passages, day, vectors)
        for cand, p in zip(found, shipped().probability(table)):
            cand.score = float(p)
    return sorted(found, key=lambda c: (-c.score, -formula(c)))


def gathered(want: Want, question: str, ranked: Sequence[Evidence], passages: Sequence[Passage]) -> list[Found]:
    """Every candidate of ``want``'s type in the ``SENTENCES`` best of ``ranked``, its occurrences best first."""
    if not want.labels:
        return []
    top = list(ranked[:SENTENCES])
    docs = parse_many([e.sentence for e in top])
    rank_of = {p.chunk_id: r for r, p in enumerate(passages)}
    asked = set(word_keys(question))
    focus = set(want.focus)
    found: dict[tuple[str, ...], Found] = {}
    labels = _labels(docs)
    known = _known_names(docs)
    for ev, doc in zip(top, docs):
        rank = rank_of.get(ev.passage.chunk_id, len(passages))
        for start, end, label in _spans(doc, want, asked, labels, known):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None and len(span) > 1 and span[-1].tag_ == "POS":
                span = span[:-1]  # "Taylor Swift's" names Taylor Swift
            if span is None:
                continue
            closeness, covered = _attachment(doc, span, focus)
            key = tuple(k for k in word_keys(span.text) if k)
            cand = found.setdefault(key, Found(key, label))
            cand.occurrences.append(Occurrence(ev, span.text, rank, closeness, covered, _role_agrees(span, want.role),
                                               _syntax(span), _noun_closeness(doc, span, want.noun)))
    merged = _merged(found)
    for cand in merged:
        cand.occurrences.sort(key=lambda o: -o.score)
    return merged


def _merged(found: dict[tuple[str, ...], Found]) -> list[Found]:
    """A short form joined to the one longer form that ends in it ("Swift" to "Taylor Swift"), so that the
    candidate's agreement counts every mention; left apart when several people share it ("Miliband"). The
    small model often labels a lone surname as an organisation: a person's full name takes it whatever its
    label. An acronym joins the one candidate that spells it out ("U.K." and "the United Kingdom")."""
    for key in sorted(found, key=len):
        longer = _longer_forms(key, found) or _with_region(key, found)
        if len(longer) == 1 and found[longer[0]].label in (found[key].label, "PERSON"):
            found[longer[0]].occurrences.extend(found.pop(key).occurrences)
    for key in [k for k, c in found.items() if acronym(c.text)]:
        spelled = _spelling(acronym(found[key].text), found)
        if len(spelled) == 1 and spelled[0] != key:
            found[spelled[0]].occurrences.extend(found.pop(key).occurrences)
    return list(found.values())


def _spelling(letters: str, found: dict[tuple[str, ...], Found]) -> list[tuple[str, ...]]:
    """The candidates whose whole name spells out ``letters`` ("the United Kingdom" for "U.K."): one
    organisation or place written both ways is one candidate, so its agreement counts both."""
    out = []
    for key, cand in found.items():
        name = cand.name  # without its article
        if any(s.start == 0 and s.end == len(name) and letters in s.initials for s in spelled_out(name)):
            out.append(key)
    return out


def described(subject: str, ranked: Sequence[Evidence]) -> Evidence | None:
    """The sentence that describes ``subject`` most fully: the most words in the noun phrase around the name
    ("the EU Commissioner for Defence and Space Andrius Kubilius"), closeness to the question breaking ties."""
    keys = set(word_keys(subject))
    top = [e for e in ranked[:SENTENCES] if keys <= set(word_keys(e.sentence))]
    best, most = None, 0.0
    for ev, doc in zip(top, parse_many([e.sentence for e in top])):
        for tok in doc:
            if tok.pos_ != "PROPN" or not set(word_keys(tok.text)) & keys:
                continue
            head = tok
            while head.dep_ in ("compound", "flat", "appos") and head.head is not head:
                head = head.head
            words = [t for t in head.subtree if t.is_alpha and not set(word_keys(t.text)) & keys]
            size = len(words) + ev.score
            if len(words) >= 2 and size > most:
                best, most = ev, size
    return best
