"""How long the standard note is: it follows the story, not a fixed budget.

The bottom line states what is most central; each further development is a line the pool holds that is
more central (LexRank, over all the articles' sentences) than every line of the bottom line and says
nothing the note already says. A one-story article whose lead says it all gets the bottom line alone; every
such development, and every further source, adds room. From one article, only such developments fill it (a
summary of one news story is about its lead's length, and ROUGE F1 pays for every word past the
reference's); from several, any line that repeats nothing. ``brief.words`` overrides it all.
"""

from __future__ import annotations

from collections.abc import Sequence

from .lines import Line
from .pool import centralities, repeats
from .state import NoteState


def distinct_developments(state: NoteState, bottom: Sequence[Line]) -> list[Line]:
    """The prose lines more central than every line of ``bottom`` that repeat nothing before them, best
    first."""
    if not bottom:
        return []
    floor = max(centralities(state, bottom))
    ranked = sorted((ln for ln in state.lines if all(ln is not b for b in bottom)), key=lambda ln: -ln.score)
    found: list[Line] = []
    for line, centre in zip(ranked, centralities(state, ranked)):
        if centre > floor and not repeats(state, line, [*bottom, *found]):
            found.append(line)
    return found


def prose_plan(state: NoteState, bottom: Sequence[Line]) -> tuple[int, list[Line] | None]:
    """Words of the standard note (bottom line + key developments) and the lines the key developments may
    come from (None: any line of the pool). ``brief.words`` when set (any line); else the bottom line's
    words, the words of the distinct developments and ``prose_words_per_extra_article`` per further article,
    at most ``prose_words`` for one article (plus the same per further article) and ``prose_words_max`` in
    all; one article's developments come from its distinct developments only."""
    cfg = state.cfg
    if cfg.words is not None:
        return cfg.words, None
    extra = cfg.prose_words_per_extra_article * (len(state.articles) - 1)
    distinct = distinct_developments(state, bottom)
    wanted = sum(b.words for b in bottom) + sum(d.words for d in distinct) + extra
    budget = min(wanted, cfg.prose_words + extra, cfg.prose_words_max)
    return budget, (distinct if len(state.articles) == 1 else None)
