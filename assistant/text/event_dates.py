"""When the events a sentence reports happened: the dates in its text resolved against its article's date.

"On Tuesday" in an article of Friday 2025-02-28 is 2025-02-25 (the last Tuesday up to that day; "next
Tuesday" or a sentence about what will happen looks forward); "yesterday" is the day before; "March 3"
without a year is the March 3 nearest the article's date on the side the tense points to. A month without
a day names no day and is left out, and so is any date the sentence only mentions in passing after the
first.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from .mentions import find_dates

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(r"(?i)\b(?:(?P<dir>next|last|this|on)\s+)?(?P<day>monday|tuesday|wednesday|thursday|friday|"
                       r"saturday|sunday)\b|\b(?P<rel>yesterday|today|tonight|tomorrow)\b")
_FUTURE = re.compile(r"(?i)\b(?:will|shall|is (?:due|set|scheduled|expected) to|are (?:due|set|scheduled|expected) to|"
                     r"plans? to|going to|next)\b")
_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_NEAR_DAYS = 7  # a past-tense date without a year may fall this many days after the article's


@dataclass(frozen=True)
class EventDate:
    """A resolved calendar day, with the words it was read from."""

    day: date
    text: str


def resolve_weekday(weekday: str, published: date, future: bool = False, direction: str = "") -> date:
    """The day a weekday names, seen from an article published on ``published``: the last such day up to
    the publication day, or (``future``, or "next") the first one after it."""
    wanted = WEEKDAY_NAMES.index(weekday.lower())
    if future or direction.lower() == "next":
        return published + timedelta(days=(wanted - published.weekday()) % 7 or 7)
    back = (published.weekday() - wanted) % 7
    if direction.lower() == "last" and back == 0:
        back = 7
    return published - timedelta(days=back)


def resolve_day(month: int, day: int, published: date, future: bool = False) -> date:
    """The year of "March 3": the one that puts it nearest the article's date, past unless ``future``
    (a few days' slack either way for a paper dated a day late)."""
    def on(year: int) -> date:
        return date(year, month, min(day, monthrange(year, month)[1]))

    this = on(published.year)
    if future:
        return this if this >= published - timedelta(days=_NEAR_DAYS) else on(published.year + 1)
    return this if this <= published + timedelta(days=_NEAR_DAYS) else on(published.year - 1)


def event_date(text: str, published: date | None) -> EventDate | None:
    """The first day the sentence names, resolved; None when it names none (or only relative days and the
    article's date is unknown)."""
    future = bool(_FUTURE.search(text))
    found: list[tuple[int, EventDate]] = []
    for d in find_dates(text):
        if d.day is None:
            continue
        if d.year:
            try:
                found.append((d.start, EventDate(date(d.year, d.month, d.day), d.text)))
            except ValueError:
                continue
        elif published is not None:
            found.append((d.start, EventDate(resolve_day(d.month, d.day, published, future), d.text)))
    if published is not None:
        for m in _RELATIVE.finditer(text):
            if m.group("rel"):
                day = published + timedelta(days=_RELATIVE_DAYS[m.group("rel").lower()])
            else:
                day = resolve_weekday(m.group("day"), published, future, m.group("dir") or "")
            found.append((m.start(), EventDate(day, m.group(0))))
    return min(found, key=lambda f: f[0])[1] if found else None
