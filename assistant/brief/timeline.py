"""The timeline: events, not publication dates.

A line that names a day ("on Tuesday", "March 3", "2025-02-25") is dated by that day, resolved against its
article's date (``text.event_dates``). An article that dates none of its events still reports events that
had happened by the day it came out: its lines whose main verb is in the past tense (and is no verb of
saying: "X said there is…" is a statement, not an event) are listed under that day, marked "reported".
"""

from __future__ import annotations

from datetime import date

from ..text.event_dates import event_date
from ..text.words import SAYING
from .lines import Line
from .pool import repeats
from .state import NoteState

_PAST = frozenset({"VBD"})


def timeline_events(state: NoteState) -> list[tuple[Line, str]]:
    """(line, date label): dated events best first, then the reported events of the articles that date
    none, at most ``brief.max_timeline``, in date order; nothing already in the note is repeated (the
    lines taken join ``state.used``)."""
    dated: list[tuple[date, str, Line]] = []
    undated: set[int] = set(range(len(state.articles)))
    for line in sorted(state.lines, key=lambda ln: -ln.score):
        when = event_date(line.text, published(state.articles[line.article].published_at))
        if when is not None:
            dated.append((when.day, when.day.isoformat(), line))
            undated.discard(line.article)
    taken = _fresh(state, dated, state.cfg.max_timeline)
    taken += _fresh(state, _reported(state, undated), state.cfg.max_timeline - len(taken))
    taken.sort(key=lambda e: (e[0], e[2].article, e[2].position))
    return [(t[2], t[1]) for t in taken]


def _fresh(state: NoteState, events: list[tuple[date, str, Line]], limit: int) -> list[tuple[date, str, Line]]:
    taken = []
    for event in events:
        if len(taken) >= limit:
            break
        if not repeats(state, event[2], state.used):
            taken.append(event)
            state.used.append(event[2])
    return taken


def _reported(state: NoteState, articles: set[int]) -> list[tuple[date, str, Line]]:
    """The past-tense event lines of ``articles`` (those with a publication day), best first, each under
    the day its article came out."""
    from ..text.nlp import parse_many

    lines = [ln for ln in sorted(state.lines, key=lambda ln: -ln.score) if ln.article in articles
             and published(state.articles[ln.article].published_at) is not None and ln.text[:1] not in "\"'“‘"]
    out = []
    for line, doc in zip(lines, parse_many([ln.text for ln in lines], with_entities=False)):
        root = next((s.root for s in doc.sents), None)
        past = root is not None and (root.tag_ in _PAST or any(c.dep_ in ("aux", "auxpass") and c.tag_ in _PAST
                                                               for c in root.children))
        if past and root.lemma_.lower() not in SAYING:
            day = published(state.articles[line.article].published_at)
            out.append((day, f"{day.isoformat()} (reported)", line))
    return out


def line_day(state: NoteState, line: Line) -> date | None:
    """When a line's event happened: the day it names, else the day its article came out."""
    day = published(state.articles[line.article].published_at)
    when = event_date(line.text, day)
    return when.day if when is not None else day


def published(stamp: str) -> date | None:
    """The day of an article's ``published_at`` stamp; None when it has none."""
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None
