"""Where sources differ, per story: what two outlets say on the same point of one event, when they differ.

Within each event cluster the note read several outlets for (``brief.stories``), the sentences of every
two outlets are aligned: a pair is the same point when each is the other's most similar sentence among
that outlet's lines of the cluster and their similarity is at least ``brief.differ_cosine_min``. An aligned
pair differs when both state a value the other lacks, of one kind:

- numbers of the same kind (count, percent, money, year), each absent from the other sentence up to the
  less precise one's rounding, whose neighbouring words share a lemma (they count the same thing: "12
  people were killed" / "killing 15 people", not "$100 off" / "on sale for $229.99"); the pair sharing most;
- the day the event happened (``text.event_dates``, relative days resolved against each article's date);
- names, when the two sentences are the same words but for a name on each side, and neither outlet's
  article mentions the other's name anywhere;
- a negation: one side negates a verb the other states of the same subject ("the ministry did not confirm
  the deal" / "the ministry confirmed the deal"), read off the verifier's role parse (``grounding.roles``).

The verifier then has the last word: each line is checked against everything the other outlet's article
says, and the pair stays only when both are rejected, so a value the other outlet also gives elsewhere (an
earlier toll, another day's figure) is not a difference. A negation passes the verifier's similarity, so it
is confirmed by the same role parse over both articles: neither outlet also says it the other way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import numpy as np

from ..text.event_dates import event_date
from ..text.mentions import NumberMention, find_dates, find_names, find_numbers
from ..text.words import STOPWORDS, word_keys
from .lines import Line

if TYPE_CHECKING:
    from .state import NoteState

_WINDOW = 3
"""Tokens either side of a number whose lemmas say what it counts."""
_CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ"})
"""The parts of speech that say what a number counts (a shared month or outlet name does not)."""


@dataclass
class Difference:
    """Two outlets' lines on one point, what differs ("numbers: 12 / 15"), and how alike the lines are."""

    line: Line
    other: Line
    point: str
    similarity: float


def story_differences(state: NoteState) -> list[Difference]:
    """Every confirmed difference in the note's multi-outlet clusters, most alike pair first."""
    found: list[Difference] = []
    for outlets in _clusters(state).values():
        names = sorted(outlets)
        for i, first in enumerate(names):
            for second in names[i + 1:]:
                found += _aligned_differences(state, outlets[first], outlets[second])
    return sorted(_confirmed(state, found), key=lambda d: -d.similarity)


def _clusters(state: NoteState) -> dict[str, dict[str, list[Line]]]:
    """cluster -> outlet -> its prose lines, for the clusters with lines from at least two outlets."""
    out: dict[str, dict[str, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for line in state.lines:
        article = state.articles[line.article]
        if article.source and line.vec is not None:
            out[article.cluster or article.id][article.source].append(line)
    return {c: outlets for c, outlets in out.items() if len(outlets) > 1}


def _aligned_differences(state: NoteState, lines_a: list[Line], lines_b: list[Line]) -> list[Difference]:
    """The mutually most similar pairs of the two outlets' lines that differ on a point."""
    sims = np.stack([ln.vec for ln in lines_a]) @ np.stack([ln.vec for ln in lines_b]).T
    out = []
    for i, j in enumerate(np.argmax(sims, axis=1)):
        if int(np.argmax(sims[:, j])) != i or sims[i, j] < state.cfg.differ_cosine_min:
            continue
        a, b = lines_a[i], lines_b[int(j)]
        point = point_of_difference(a.text, b.text, _day(state, a), _day(state, b),
                                    _article_text(state, a), _article_text(state, b))
        if point:
            out.append(Difference(a, b, point, float(sims[i, j])))
    return out


def _confirmed(state: NoteState, found: list[Difference]) -> list[Difference]:
    """The differences whose lines the verifier rejects against the other outlet's whole article."""
    from ..grounding.verifier import evidence_text

    def article(line: Line) -> list[str]:
        return [evidence_text(p) for p in state.articles[line.article].passages]

    negated = [d for d in found if d.point.startswith("negation")]
    valued = [d for d in found if not d.point.startswith("negation")]
    claims = [claim for d in valued for claim in ((d.line.text, article(d.other)), (d.other.text, article(d.line)))]
    verdicts = state.verifier.check_many(claims) if claims else []
    kept = [d for k, d in enumerate(valued) if not verdicts[2 * k].supported and not verdicts[2 * k + 1].supported]
    for d in negated:
        x, y = opposite_polarity(d.line.text, d.other.text)
        if not _said_both_ways(state, d.line, y) and not _said_both_ways(state, d.other, x):
            kept.append(d)
    return kept


def point_of_difference(a: str, b: str, day_a: date | None = None, day_b: date | None = None,
                        article_a: str = "", article_b: str = "") -> str:
    """What two aligned sentences state differently ("numbers: 12 / 15", "dates: 2025-03-03 / 2025-03-04",
    "names: Mark Olsen / Mark Olson"), or "" when they agree on every value both give. ``day_*``: the
    articles' dates (for relative days); ``article_*``: the articles' texts (a name the other article
    mentions anywhere is not a difference)."""
    numbers = _differing_numbers(a, b)
    if numbers:
        return f"numbers: {numbers[0]} / {numbers[1]}"
    when_a, when_b = event_date(a, day_a), event_date(b, day_b)
    if when_a and when_b and when_a.day != when_b.day:
        return f"dates: {when_a.day.isoformat()} / {when_b.day.isoformat()}"
    names = _substituted_names(a, b, article_a or a, article_b or b)
    if names:
        return f"names: {names[0]} / {names[1]}"
    flipped = opposite_polarity(a, b)
    return f"negation: “{flipped[0].clause}” / “{flipped[1].clause}”" if flipped else ""


def opposite_polarity(a: str, b: str):  # -> tuple[Role, Role] | None
    """The roles (``grounding.roles``) of ``a`` and ``b`` with the same verb and a subject sharing a word,
    negated on one side only; None when there are none."""
    from ..grounding.roles import roles
    from ..text.nlp import parse

    for x in roles(parse(a)):
        for y in roles(parse(b)):
            if x.verb == y.verb and x.negated != y.negated and _same_subject(x, y):
                return x, y
    return None


def _same_subject(x, y) -> bool:
    """Whether two roles' subjects share a content word ("the driver" / "the bus driver", not "the
    ministry" / "the company")."""
    return bool((x.subject & y.subject) - STOPWORDS)


def _said_both_ways(state: NoteState, line: Line, flipped) -> bool:
    """Whether ``line``'s article also states ``flipped`` (a role) with the polarity ``line`` lacks: then
    the outlet says both, and the two outlets do not differ."""
    from ..grounding.roles import roles
    from ..text.nlp import parse_many

    texts = [s.text for s in state.sentences if s.article == line.article]
    return any(r.verb == flipped.verb and r.negated == flipped.negated and _same_subject(r, flipped)
               for doc in parse_many(texts) for r in roles(doc))


def _values(text: str) -> list[NumberMention]:
    dates = find_dates(text)
    return [n for n in find_numbers(text) if not any(d.start <= n.start < d.end for d in dates)]


def _kind(n: NumberMention) -> str:
    return "year" if n.is_year else "percent" if n.is_percent else "money" if n.is_money else "count"


def _same_value(x: NumberMention, y: NumberMention) -> bool:
    """Equal, or equal up to the rounding of the less precise ("4.3 million" is "4 million" rounded)."""
    if math.isclose(x.value, y.value, rel_tol=1e-9):
        return True
    rough = x if x.decimals <= y.decimals else y
    scale = rough.value / rough.raw if rough.raw else 1.0
    return abs(x.value - y.value) <= 0.5 * 10 ** -rough.decimals * abs(scale) * (1 + 1e-9)


def _differing_numbers(a: str, b: str) -> tuple[str, str] | None:
    """(number in a, number in b): the same kind, each absent from the other sentence, neighbouring words
    sharing a lemma; the pair sharing most."""
    values_a, values_b = _values(a), _values(b)
    only_a = [x for x in values_a if not any(_same_value(x, y) for y in values_b)]
    only_b = [y for y in values_b if not any(_same_value(x, y) for x in values_a)]
    pairs = [(x, y) for x in only_a for y in only_b if _kind(x) == _kind(y)]
    if not pairs:
        return None
    context_a, context_b = _contexts(a, only_a), _contexts(b, only_b)
    overlap = {(x, y): len(context_a[x] & context_b[y]) for x, y in pairs}
    x, y = max(pairs, key=lambda p: overlap[p])
    return (x.text, y.text) if overlap[(x, y)] else None


def _contexts(text: str, numbers: list[NumberMention]) -> dict[NumberMention, set[str]]:
    """Each number's neighbouring nouns, verbs and adjectives, as lemmas (the thing counted, the verb that
    counts it)."""
    from ..text.nlp import parse

    doc = parse(text)
    out: dict[NumberMention, set[str]] = {}
    for n in numbers:
        inside = [t.i for t in doc if n.start <= t.idx < n.end]
        if not inside:
            out[n] = set()
            continue
        near = [*doc[max(0, inside[0] - _WINDOW):inside[0]], *doc[inside[-1] + 1:inside[-1] + 1 + _WINDOW]]
        out[n] = {t.lemma_.lower() for t in near if t.pos_ in _CONTENT_POS and not t.is_stop}
    return out


def _substituted_names(a: str, b: str, article_a: str, article_b: str) -> tuple[str, str] | None:
    """(name in a, name in b) when the sentences are the same words but for one name on each side, and
    neither article mentions the other's name."""
    names_a, names_b = find_names(a), find_names(b)
    keys_a, keys_b = word_keys(a), word_keys(b)
    changes = [op for op in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if len(changes) != 1 or changes[0][0] != "replace":
        return None
    _, i1, i2, j1, j2 = changes[0]
    name_a = _name_covering(names_a, set(keys_a[i1:i2]))
    name_b = _name_covering(names_b, set(keys_b[j1:j2]))
    if name_a is None or name_b is None:
        return None
    if _mentions(article_b, name_a) or _mentions(article_a, name_b):
        return None
    return name_a, name_b


def _name_covering(names, changed: set[str]) -> str | None:
    """The name whose words include every changed word."""
    for name in names:
        if changed <= set(word_keys(name.text)):
            return name.text
    return None


def _mentions(text: str, name: str) -> bool:
    keys = set(word_keys(text))
    return all(k in keys for k in word_keys(name))


def _day(state: NoteState, line: Line) -> date | None:
    try:
        return date.fromisoformat(state.articles[line.article].published_at[:10])
    except ValueError:
        return None


def _article_text(state: NoteState, line: Line) -> str:
    return " ".join(p.text for p in state.articles[line.article].passages)
