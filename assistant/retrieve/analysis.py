"""Query understanding: outlets and dates named in a question, and the sub-queries they imply.

General features a news reader expects, not benchmark rules: "according to The Verge" means the
evidence should include The Verge; "published on October 18, 2023" narrows the dates; a question
naming several outlets needs evidence from each, so each gets its own sub-query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..text.clauses import clauses, content_words
from ..text.dates import day_stamp
from ..text.mentions import find_dates as find_date_mentions
from .filters import Filters
from .outlets import OutletMention, outlets_of

# "in November 2023" is a month to search; a bare "the November 2023 report" names a report, not a span.
_MONTH_CUE = re.compile(r"\b(?:in|during|throughout|since|by|of)\s+$", re.I)
_RELATIVE = re.compile(r"\b(last|past|this|previous)\s+(week|month|year|(\d+)\s+days)\b", re.I)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(rf"\b(?:on|last|this|past)\s+({'|'.join(_WEEKDAYS)})\b", re.I)


@dataclass(frozen=True)
class Mention:
    """Something found in the question, with its character span."""

    start: int
    end: int
    value: object


@dataclass
class SubQuery:
    """A focused search whose best result is guaranteed a place in the final list."""

    text: str
    filters: Filters
    label: str


@dataclass
class QueryPlan:
    question: str
    outlets: list[OutletMention] = field(default_factory=list)  # any case: search only boosts them
    dates: list[Mention] = field(default_factory=list)  # value: (since_ts, until_ts)
    subqueries: list[SubQuery] = field(default_factory=list)
    named: list[OutletMention] = field(default_factory=list)  # written with a capital: answering's claims are about these

    @property
    def named_sources(self) -> set[str]:
        return {name for m in self.outlets for name in m.sources}


def find_dates(question: str, newest: date | None) -> list[Mention]:
    """Days (±1 day for time zones), months, and 'last week' / 'on Tuesday' spans relative to ``newest`` (the
    newest article, or the ``--as-of`` day), as
    inclusive (since, until) timestamps; dates without a year are not spans."""
    out: list[Mention] = []
    for found in find_date_mentions(question):
        if found.year is None:
            continue
        if found.day is not None:
            try:
                day = date(found.year, found.month, found.day)
            except ValueError:
                continue
            window = (day_stamp(day - timedelta(days=1)), day_stamp(day + timedelta(days=1), end=True))
            out.append(Mention(found.start, found.end, window))
        elif cue := _MONTH_CUE.search(question[:found.start]):
            first = date(found.year, found.month, 1)
            last = date(found.year + (found.month == 12), found.month % 12 + 1, 1) - timedelta(days=1)
            out.append(Mention(cue.start(), found.end, (day_stamp(first), day_stamp(last, end=True))))
    if newest is not None:
        for match in _RELATIVE.finditer(question):
            unit = match.group(2).lower()
            days = int(match.group(3)) if match.group(3) else {"week": 7, "month": 31, "year": 366}[unit]
            window = (day_stamp(newest - timedelta(days=days)), day_stamp(newest, end=True))
            out.append(Mention(match.start(), match.end(), window))
        for match in _WEEKDAY.finditer(question):
            # "on Tuesday": the latest Tuesday on or before the reference day, ±1 day for time zones
            back = (newest.weekday() - _WEEKDAYS.index(match.group(1).lower())) % 7
            day = newest - timedelta(days=back)
            window = (day_stamp(day - timedelta(days=1)), day_stamp(min(day + timedelta(days=1), newest), end=True))
            out.append(Mention(match.start(), match.end(), window))
    return sorted(out, key=lambda m: m.start)


def _strip_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def analyse(question: str, sources: Sequence[str], newest: date | None) -> QueryPlan:
    """The one analysis of a question that search and answering both read: outlets, dates, sub-queries."""
    outlets = outlets_of(sources)
    result = QueryPlan(question, outlets.mentions(question), find_dates(question, newest),
                       named=outlets.mentions(question, cased=True))
    outlet_spans = [(m.start, m.end) for m in result.outlets]
    seen: set[tuple[str, ...]] = set()
    for i, mention in enumerate(result.outlets):
        names = mention.sources
        # The clause about this outlet runs to the next outlet mention (or the end of the question).
        # Dates usually follow the outlet ("X reported on October 5"); before the first outlet they belong to it.
        end = result.outlets[i + 1].start if i + 1 < len(result.outlets) else len(question)
        start = 0 if i == 0 else mention.start
        window = [d for d in result.dates if start <= d.start < end]
        since = min((d.value[0] for d in window), default=None)  # type: ignore[index]
        until = max((d.value[1] for d in window), default=None)  # type: ignore[index]
        filters = Filters(since, until, list(names))
        # Two searches per outlet: the whole question (context) and the clause about this outlet
        # (the words between its neighbours, which usually state the claim made about it).
        before = result.outlets[i - 1].end if i > 0 else 0
        clause = _strip_spans(question[before:end], [(mention.start - before, mention.end - before)])
        for text in (_strip_spans(question, outlet_spans), clause):
            key = (*names, str(since), str(until), text)
            if key in seen or content_words(text) < 3:
                continue
            seen.add(key)
            result.subqueries.append(SubQuery(text, filters, label=names[0]))
    # A question that lists several claims ("known for X, for Y, and accused of Z") needs evidence
    # for each: one sub-query per claim, within the outlets the question names.
    parts = clauses(_strip_spans(question, outlet_spans))
    if len(parts) > 1:
        named = sorted(result.named_sources)
        for part in parts:
            # A claim that gives its own date ("the report on Y published on October 12, 2023") is searched
            # within it. Claims are cut at commas, so the date's head ("October 12") is what the claim holds.
            windows = [d.value for d in result.dates
                       if re.search(rf"\b{re.escape(question[d.start:d.end].split(',')[0].strip())}\b", part)]
            since = min((w[0] for w in windows), default=None)  # type: ignore[index]
            until = max((w[1] for w in windows), default=None)  # type: ignore[index]
            result.subqueries.append(SubQuery(part, Filters(since, until, named), label=f"claim: {part[:40]}"))
    return result
