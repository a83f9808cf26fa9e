"""Question analysis: what kind of answer a question wants and which claims it makes about which outlet.

Pure functions over the question text and the outlets in the index (no models), so every odd question
shape has a table-driven test. ``routes.py`` uses the plan to retrieve evidence per claim and to let the
system, not the small model, judge yes/no, before/after and which-outlet questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..retrieve.analysis import QueryPlan
from ..retrieve.outlets import OutletMention
from ..text.mentions import MONTHS, DateMention, find_dates, find_names
from ..text.nlp import NAME_LABELS, entities, parse
from ..text.words import content_keys, word_keys
from .wants import Want, wanted

YES_NO_OPENERS = frozenset("did does do is was were are has have had can could would will should".split())
WH_OPENERS = frozenset("who whom whose which what".split())
_OUTLET_NOUNS = r"(?:article|report|reporting|piece|feature|review|story|stories|coverage|post|column|op-ed|blog)"
_CAP_PHRASE = r"[A-Z][\w&'’.]*(?:[ -](?:of |and |& )?[A-Z][\w&'’.]*){0,4}"
_UNKNOWN_OUTLET_PATTERNS = (
    re.compile(rf"\b{_OUTLET_NOUNS}s?\s+(?:in|from|by)\s+(?:the\s+)?(?P<n>{_CAP_PHRASE})"),
    re.compile(rf"\b(?:a|an|the|another|one)\s+(?P<n>{_CAP_PHRASE})\s+{_OUTLET_NOUNS}\b"),
    re.compile(rf"\b(?:reported|published|covered)\s+by\s+(?:the\s+)?(?P<n>{_CAP_PHRASE})"),
)
# "consistent or inconsistent", "agreement or disagreement", "larger or smaller": a choice, not yes/no.
_CHOICE = re.compile(r"\b([a-z]+)\s+or\s+([a-z]+)\b", re.IGNORECASE)
ANTONYM_PREFIXES = ("in", "dis", "un", "non", "im", "ir")
"""Prefixes that negate a word (consistent / inconsistent): such a pair of options is a choice."""
_COMPARATIVE_PAIRS = {frozenset(p) for p in (("larger", "smaller"), ("higher", "lower"), ("more", "less"),
                                              ("bigger", "smaller"), ("greater", "smaller"), ("earlier", "later"),
                                              ("increase", "decrease"), ("positive", "negative"))}
_NEGATIVE_FRAME = re.compile(r"\binconsisten\w*|\bdisagree\w*", re.IGNORECASE)
_POSITIVE_FRAME = re.compile(r"(?<![a-z])consisten\w*|\bagree\w*|\balign\w*", re.IGNORECASE)
_CLAIM_NOISE = re.compile(
    r"\b(?:does|did|do|is|was|were|has|have|had|article|articles|report|reports|reported|reporting|"
    r"piece|published|publish|source|outlet|story|according|suggest|suggests|considering|"
    r"claim|claims|imply|implies|indicate|indicates|while|whereas|also|both|after|before|between|"
    r"compared|contrast|per|that|the)\b", re.IGNORECASE)


@dataclass
class Claim:
    """What the question says one outlet reported; ``date`` when the question names the day."""

    text: str
    sources: tuple[str, ...]
    outlet: str
    date: DateMention | None = None

    @property
    def query(self) -> str:
        """The claim without question glue ('Does the article suggest that ...'): for retrieval and matching."""
        return " ".join(_CLAIM_NOISE.sub(" ", self.text).split())


@dataclass
class Plan:
    """How to answer: ``kind`` is yesno | choice | outlet_choice | entity | open."""

    question: str
    kind: str
    outlets: list[OutletMention] = field(default_factory=list)
    unknown_outlets: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    order: str | None = None          # "before" | "after": claims[0] relative to claims[1]
    options: tuple[str, str] | None = None
    frame: str | None = None          # "consistent" | "inconsistent" when the question asks about (in)consistency
    names: list[str] = field(default_factory=list)  # proper names in the question, outlets excluded
    search: QueryPlan | None = None  # the analysis retrieval reads (outlets in any case, dates, sub-queries)
    want: Want | None = None  # the answer type and its constraints (spaCy on the question)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(s for m in self.outlets for s in m.sources))


def unknown_outlets(question: str, mentions: Sequence[OutletMention]) -> list[str]:
    """Names the question presents as outlets ('a Bloomberg article', 'reported by Reuters') that the index lacks."""
    out: list[str] = []
    for pattern in _UNKNOWN_OUTLET_PATTERNS:
        for m in pattern.finditer(question):
            lo, hi = m.start("n"), m.end("n")
            if any(o.start <= lo + 4 and hi <= o.end + 4 or lo <= o.start < hi for o in mentions):
                continue
            name = m.group("n").strip(" .'’")
            if name.split()[0].lower().strip(".") in MONTHS:
                continue
            if name and name.lower() not in {"the", "a", "an"} and name not in out:
                out.append(name)
    return out


def question_kind(question: str) -> tuple[str, tuple[str, str] | None]:
    """yesno | choice | outlet_choice | entity | open, and the two options of a choice question."""
    words = re.findall(r"[A-Za-z']+", question.lower())
    for m in _CHOICE.finditer(question):
        a, b = m.group(1).lower(), m.group(2).lower()
        if (any(b == p + a or a == p + b for p in ANTONYM_PREFIXES) or frozenset((a, b)) in _COMPARATIVE_PAIRS):
            return "choice", (a, b)
    if re.search(r"\bwhich\s+(?:news\s+)?(?:source|outlet|publication|article|report|news organi[sz]ation)\b",
                 question, re.IGNORECASE):
        return "outlet_choice", None
    first = words[0] if words else ""
    if first in YES_NO_OPENERS:
        return "yesno", None
    if first in WH_OPENERS:
        second = words[1] if len(words) > 1 else ""
        if first == "what" and second in YES_NO_OPENERS | {"happened", "happens"} and "name" not in words[:5]:
            return "open", None
        return "entity", None
    # "After X reported ..., did Y ...?", "Between A and B, was there ...?", "Considering ..., which ...?"
    main = re.search(r",\s*(did|does|do|is|was|were|has|have|had|are|who|which|what|whose)\b", question, re.IGNORECASE)
    if main:
        return ("yesno" if main.group(1).lower() in YES_NO_OPENERS else "entity"), None
    if any(w in WH_OPENERS for w in words[:12]):
        return "entity", None
    return "open", None


def _claim_text(segment: str, mention: OutletMention | None) -> str:
    """The words of a question segment that state a claim: outlet name, dates and question glue removed."""
    text = segment
    if mention is not None:
        text = text.replace(mention.surface, " ")
    for date in find_dates(text):
        text = text.replace(date.text, " ")
    text = re.sub(r"'\d{4}-\d\d-\d\dT[\d:+]+'|\(\s*published at\s*\)", " ", text)
    text = re.sub(r"[\"“”‘’'()?,;]", " ", text)
    return " ".join(text.split())


def decompose(question: str, mentions: Sequence[OutletMention]) -> list[Claim]:
    """One claim per outlet mention: the text from that mention up to the next one.

    Text before the first mention belongs to the first claim ("Did the report on X by The Verge ...").
    """
    claims: list[Claim] = []
    for i, mention in enumerate(mentions):
        lo = 0 if i == 0 else mention.start
        hi = mentions[i + 1].start if i + 1 < len(mentions) else len(question)
        segment = question[lo:hi]
        dates = [d for d in find_dates(segment) if d.month]
        date = next((d for d in dates if d.day is not None and d.year is not None), None)
        text = _claim_text(segment, mention)
        if len(content_keys(_CLAIM_NOISE.sub(" ", text))) >= 2:
            claims.append(Claim(text, mention.sources, mention.surface.removeprefix("the ").removeprefix("The "), date))
    return claims


def order_relation(question: str, mentions: Sequence[OutletMention]) -> str | None:
    """'before' / 'after' when the question asks whether the first outlet's report came before/after the second's.

    A leading "After X reported ..., did Y ..." only sets the scene and is not asked about.
    """
    if len(mentions) < 2:
        return None
    between = question[mentions[0].end:mentions[1].start]
    m = re.search(r"\b(before|after|earlier than|later than|prior to|preceding|following)\b", between, re.IGNORECASE)
    if not m:
        return None
    word = m.group(1).lower()
    return "before" if word in ("before", "earlier than", "prior to", "preceding") else "after"


def question_names(question: str, mentions: Sequence[OutletMention]) -> list[str]:
    """Proper names in the question other than outlets and dates: what the articles must mention. A
    capitalised run counts where spaCy reads names in it, each name apart ("Actress Amanda Seyfried" ->
    "Amanda Seyfried", "Republican Matt Van Epps" -> "Republican", "Matt Van Epps"; "Monday", a date, is none)."""
    found = [e for e in entities(parse(question)) if e.label in NAME_LABELS]
    names: list[str] = []
    for mention in find_names(question):
        if any(o.start <= mention.start < o.end + 1 or mention.start <= o.start < mention.end for o in mentions):
            continue
        for e in (e for e in found if e.start < mention.end and mention.start < e.end):
            text = question[max(mention.start, e.start):min(mention.end, e.end)].strip(" ,.'’")
            if content_keys(text) and text not in names:
                names.append(text)
    return names


def plan(search: QueryPlan) -> Plan:
    """Everything the answerer needs to know about a question before retrieving, read off the one analysis
    search uses (``Retriever.plan``) and kept with it, so the question is analysed once."""
    question = search.question
    kind, options = question_kind(question)
    mentions = search.named
    claims = decompose(question, mentions) if kind in ("yesno", "choice", "outlet_choice") else []
    frame = None
    if _NEGATIVE_FRAME.search(question) and not (options and "consistent" in options):
        frame = "inconsistent"
    elif _POSITIVE_FRAME.search(question):
        frame = "consistent"
    return Plan(
        question=question, kind=kind, outlets=mentions, unknown_outlets=unknown_outlets(question, mentions),
        claims=claims, order=order_relation(question, mentions) if kind == "yesno" else None, options=options,
        frame=frame, names=question_names(question, mentions), search=search, want=wanted(question),
    )


def name_found(name: str, keys: set[str]) -> bool:
    """Whether every distinctive word of a name occurs among the word keys of some evidence."""
    parts = [k for k in word_keys(name) if len(k) > 1 and k not in {"of", "the", "and", "for"}]
    return bool(parts) and all(p in keys for p in parts)
