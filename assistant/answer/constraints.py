"""What a passage must hold to answer a question at all: the numbers the question writes in digits ("a
6.0-magnitude earthquake", "$236 million"), to the precision the question writes them ("nearly $1.8
billion" is the report's $1.787 billion; "6.0" is not 6.4) and, when the question names a time ("this week", "in March
2025"), a report from that time — published in the window (give or take ``answer.date_slack_days``) or
dating the event in it. A passage that misses them is about another event, however close its words, and its
candidates are no answer: a confident answer about another earthquake is worse than an abstention.
"Recently" is softer: the reports of the last ``answer.recent_days`` are read first (``fresh``), the rest
only when they hold no answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from ..core.passage import Passage
from ..retrieve.analysis import find_dates
from ..text.dates import day_stamp, stamp_day, to_timestamp
from ..text.mentions import find_dates as find_date_mentions
from ..text.mentions import find_numbers
from .state import Question, Tools

DAY = 86400
_RECENTLY = re.compile(r"\b(?:recently|lately)\b", re.I)


@dataclass(frozen=True)
class Constraints:
    """The question's digit-written numbers (value, half its last written digit's unit) and its time windows
    (inclusive timestamps)."""

    numbers: tuple[tuple[float, float], ...]
    windows: tuple[tuple[int, int], ...]
    slack: int
    recent: int | None = None  # the earliest timestamp of a "recent" report, for a question asking "recently"

    def fresh(self, passage: Passage) -> bool:
        """Whether ``passage`` is a recent report for a question asking what happened recently (any report
        when it does not ask)."""
        published = _published(passage)
        return self.recent is None or published is not None and published >= self.recent

    def holds(self, passage: Passage) -> bool:
        """Whether ``passage`` (with its headline) writes every number and reports from the named time."""
        text = f"{passage.article.title}. {passage.text}"
        if self.numbers:
            values = _values(text)
            if not all(any(abs(v - n) <= half + 1e-9 * abs(n) for v in values) for n, half in self.numbers):
                return False
        return not self.windows or any(self._in_time(passage, text, w) for w in self.windows)

    def _in_time(self, passage: Passage, text: str, window: tuple[int, int]) -> bool:
        lo, hi = window[0] - self.slack, window[1] + self.slack
        published = _published(passage)
        if published is not None and lo <= published <= hi:
            return True
        # the question's own date reader, "last week" in the passage counting back from its publication day
        newest = None if published is None else stamp_day(published)
        return any(lo <= m.value[0] and m.value[1] <= hi for m in find_dates(text, newest))


def _published(passage: Passage) -> int | None:
    """The passage's publication timestamp, None when undated."""
    return to_timestamp(passage.article.published_at) if passage.article.published_at else None


def _values(text: str) -> set[float]:
    """The numbers ``text`` writes, outside its dates (the 6 of "Feb. 6" is no 6.0-magnitude quake)."""
    dates = [(d.start, d.end) for d in find_date_mentions(text)]
    found = [n for n in find_numbers(text) if not any(lo <= n.start < hi for lo, hi in dates)]
    return {round(n.value, 6) for n in found} | {round(n.raw, 6) for n in found}


def of(tools: Tools, q: Question, part: str) -> Constraints:
    """The constraints of one part of ``q``: its digit numbers, the whole question's time windows."""
    # a number is as precise as its last written digit: "1.8 billion" covers 1.75 to 1.85 billion
    numbers = tuple(dict.fromkeys((round(n.value, 6), 0.5 * 10.0 ** -n.decimals * (n.value / n.raw if n.raw else 1.0))
                                  for n in find_numbers(part) if any(c.isdigit() for c in n.text) and not n.is_year))
    windows = tuple(m.value for m in (q.plan.search.dates if q.plan.search else []))
    day = tools.retriever.day
    recent = day_stamp(day - timedelta(days=tools.settings.answer.recent_days)) \
        if day is not None and _RECENTLY.search(q.text) else None
    return Constraints(numbers, windows, round(tools.settings.answer.date_slack_days * DAY), recent)
