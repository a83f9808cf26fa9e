"""The reduce step: each section of the note chosen from the candidate pool, nothing said twice.

Prose (bottom line, key developments) fills a word budget by maximal marginal relevance; actors,
quotes, timeline, differences and open questions are taken from the text, where they can be checked
exactly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from ..text.event_dates import event_date
from ..text.words import fold
from ..text.mentions import QUOTE_RES
from .lines import DISPUTE, FUTURE, JUNK, Line, speaker
from .model import Bullet
from .notes import model_bottom_line
from ..text.people import mentions, name_key
from ..text.sentences import is_question
from .pool import best_line, repeats
from .length import prose_plan
from .state import NoteState
from .timeline import line_day, timeline_events


def build_sections(state: NoteState) -> None:
    """Every section, in the order that decides which section a line shared by several goes to. The
    standard note's length follows the story (``length``): the bottom line first, then room for what it
    leaves out."""
    bottom = _bottom_line(state)
    budget, candidates = prose_plan(state, bottom)
    _key_developments(state, budget, sum(b.words for b in bottom), candidates)
    _actors(state)
    _quotes(state)
    _timeline(state)
    _differences(state)
    _open_questions(state)


def _bottom_line(state: NoteState) -> list[Line]:
    """``bottom_line_sentences`` sentences (a news summary's three) within ``bottom_line_words`` (and
    ``brief.words`` when set)."""
    pool = [*model_bottom_line(state), *state.lines] if state.llm is not None else state.lines
    cap = min(state.cfg.words or state.cfg.bottom_line_words, state.cfg.bottom_line_words)
    bottom = _fill(state, [], pool, want=state.cfg.bottom_line_sentences, words_cap=cap)
    if len(state.articles) == 1:
        bottom.sort(key=lambda line: line.position)  # one article: keep its order
    _emit(state, "bottom_line", bottom)
    return bottom


def _key_developments(state: NoteState, budget: int, used_words: int, candidates: list[Line] | None) -> None:
    """The model's notes and the articles' sentences (``candidates`` when given), best first, until the
    prose budget is spent; from several articles, shown in the order of their days (named in the line, else
    its article's)."""
    cfg = state.cfg
    pool = [*state.notes, *(state.lines if candidates is None else candidates)]
    minimum = cfg.min_developments if len(state.articles) == 1 else 2
    developments: list[Line] = []
    while True:
        room = budget - used_words
        fits = [c for c in pool if c.words <= room] if used_words < budget else []
        if not fits and len(developments) < minimum:
            fits = [c for c in pool if c.words <= 40]
        pick = best_line(state, fits, developments)
        if pick is None or len(developments) >= cfg.max_developments:
            break
        developments.append(pick)
        state.used.append(pick)
        used_words += pick.words
    if len(state.articles) > 1:  # several articles: the story as it unfolded, then by importance
        developments.sort(key=lambda ln: (line_day(state, ln) or date.max, -ln.score))
    _emit(state, "key_developments", developments)
    if not developments:
        state.sections["key_developments"].note = "No further development: the bottom line covers the story."


SECOND_LINE_WORDS = 25
"""The second line of the bottom line may have this many words even when the first leaves less room."""


def _fill(state: NoteState, chosen: list[Line], pool: Sequence[Line], want: int, words_cap: int) -> list[Line]:
    """Up to ``want`` lines; past two, only lines that fit in what ``words_cap`` leaves (the BLUF is 2-3
    sentences: a third that would overrun the cap is left out, as ROUGE F1 and a reader pay for every word)."""
    chosen = list(chosen)
    while len(chosen) < want:
        room = words_cap - sum(c.words for c in chosen) if chosen else state.cfg.max_words
        if len(chosen) >= 2 and room <= 0:
            break
        fits = room if len(chosen) >= 2 else max(room, SECOND_LINE_WORDS)
        pick = best_line(state, [c for c in pool if c.words <= fits], chosen)
        if pick is None:
            break
        chosen.append(pick)
        state.used.append(pick)
    return chosen


def _emit(state: NoteState, key: str, lines: Sequence[Line], labels: Sequence[str] | None = None) -> None:
    for i, line in enumerate(lines):
        bullet = Bullet(line.text, list(line.passages), label=labels[i] if labels else "", origin=line.origin)
        if line.verdict is not None:
            bullet.apply(line.verdict)
        state.sections[key].bullets.append(bullet)


def _take(state: NoteState, key: str, candidates: Sequence[tuple[Line, str]], limit: int) -> None:
    """Up to ``limit`` (line, label) candidates that repeat nothing already in the note."""
    taken: list[tuple[Line, str]] = []
    labels: set[str] = set()
    for line, label in candidates:
        if len(taken) == limit:
            break
        if label and label.lower() in labels or repeats(state, line, state.used):
            continue
        taken.append((line, label))
        labels.add(label.lower())
        state.used.append(line)
    _emit(state, key, [t[0] for t in taken], [t[1] for t in taken])


def _actors(state: NoteState) -> None:
    """The people and organisations that act in the articles (``people``): people with a role first,
    then the most active; each labelled with full name and role, with the best line where they act,
    citing also the passage that gives the role."""
    from ..text.nlp import parse_many

    excluded = {fold(o).lower() for o in state.outlets}
    persons = frozenset(k for k, a in state.actors.items() if a.person)
    where: dict[str, list[tuple[Line, bool]]] = defaultdict(list)
    for line, doc in zip(state.lines, parse_many([ln.text for ln in state.lines])):
        for m in {m.key: m for m in reversed(mentions(doc, persons))}.values():
            where[m.key].append((line, m.acting))
    ranked = sorted((a for a in state.actors.values() if where[a.key] and fold(a.name).lower() not in excluded
                     and (a.acting or a.mentions >= 2 and (a.person or a.role))),
                    key=lambda a: (not a.person, not a.role, -a.acting, -a.mentions, a.key))
    taken: list[Line] = []
    labels: list[str] = []
    for actor in ranked:
        if len(taken) == state.cfg.max_actors:
            break
        lines = sorted(where[actor.key], key=lambda la: (not la[1], -la[0].score))
        line = next((ln for ln, acting in lines if (acting or actor.person) and not repeats(state, ln, state.used)),
                    None)  # an organisation is shown by what it does, not by a title that names it
        if line is not None:
            taken.append(_with_role_source(state, line, actor))
            labels.append(actor.label)
            state.used.append(line)
    _emit(state, "actors", taken, labels)
    if not state.sections["actors"].bullets:
        state.sections["actors"].note = "No named actors stand out in these articles."


def _with_role_source(state: NoteState, line: Line, actor) -> Line:
    """``line`` citing also the first passage that gives the actor's role (so the label is grounded)."""
    if not actor.role:
        return line
    surname = actor.name.split()[-1]
    for s in state.sentences:
        if actor.role in s.text and surname in s.text:
            if all(p.chunk_id != s.passages[0].chunk_id for p in line.passages):
                return replace(line, passages=[*line.passages, s.passages[0]])
            break
    return line


def _quotes(state: NoteState) -> None:
    """Direct quotes with a named speaker, exactly as written in the passage that holds them."""
    limit = state.cfg.max_quotes
    found = sorted(_attributed_quotes(state), key=lambda item: -item[2])
    if found:
        for item, vec in zip(found, state.embedder.matrix([f[0].text for f in found[:3 * limit]])):
            item[0].vec = vec
    chosen: list[tuple[Line, str]] = []
    speakers: Counter[str] = Counter()
    for line, who, _ in found[:3 * limit]:
        if speakers[who] >= 2:
            continue
        speakers[who] += 1
        chosen.append((line, ""))
    _take(state, "quotes", chosen, limit)
    if not state.sections["quotes"].bullets:
        state.sections["quotes"].note = "No attributed direct quotes found."


def _attributed_quotes(state: NoteState) -> list[tuple[Line, str, float]]:
    """(line "Speaker: “quote”", speaker, score of the sentence holding it) for every quote of
    ``brief.quote_min_words`` to ``quote_max_words`` words whose speaker the passage names."""
    found: list[tuple[Line, str, float]] = []
    for ai, article in enumerate(state.articles):
        for passage in article.passages:
            last_speaker = ""  # a pronoun is resolved within the passage the quote is cited from
            text = passage.text
            spans = sorted({(m.start(), m.end(), m.group(1)) for pattern in QUOTE_RES for m in pattern.finditer(text)})
            for start, end, inner in spans:
                quote = " ".join(inner.split()).rstrip(" ,;:")
                if not state.cfg.quote_min_words <= len(quote.split()) <= state.cfg.quote_max_words:
                    continue
                who = speaker(text, start, end, last_speaker)
                if not who:
                    continue
                last_speaker = who
                actor = state.actors.get(name_key(who))
                line = Line(f"{actor.name if actor and actor.person else who}: “{quote}”", ai, [passage], 0)
                found.append((line, who, _sentence_score(state, ai, quote)))
    return found


def _sentence_score(state: NoteState, ai: int, fragment: str) -> float:
    key = fold(fragment)[:60]
    for line in state.sentences:
        if line.article == ai and key[:40] in fold(line.text):
            return line.score
    return 0.0


def _timeline(state: NoteState) -> None:
    """Events, not publication dates (``timeline``): days named in the text, else what was reported by the
    day the article came out."""
    events = timeline_events(state)
    _emit(state, "timeline", [e[0] for e in events], [e[1] for e in events])
    if not events:
        named = any(event_date(line.text, None) for line in state.used)
        state.sections["timeline"].note = ("No further dated events (the dates are in the lines above)." if named
                                           else "The articles give no dates for these events.")


def _differences(state: NoteState) -> None:
    """Where sources differ: per story, what two outlets say differently on the same point (``differ``;
    either line may also be stated above: the difference is what is new), then statements of denial or
    dispute."""
    from .differ import story_differences

    limit = state.cfg.max_differences
    count = 0
    shown: list[Line] = []  # a line already stated above may still be one side of a difference
    for found in story_differences(state):
        a, b = found.line, found.other
        if count == limit:
            break
        if repeats(state, a, shown) or repeats(state, b, shown):
            continue
        shown.extend([a, b])
        bullet = Bullet(a.text, list(a.passages), label=state.source(a))
        bullet.contrast = Bullet(b.text, list(b.passages), label=state.source(b))
        bullet.point = found.point
        state.sections["differences"].bullets.append(bullet)
        state.used.extend([a, b])
        count += 1
    disputes = [(ln, state.source(ln)) for ln in sorted(state.lines, key=lambda x: -x.score) if DISPUTE.search(ln.text)]
    _take(state, "differences", disputes, limit - count)
    if not state.sections["differences"].bullets:
        n, m = len(state.articles), len(state.outlets)
        state.sections["differences"].note = (
            f"No disagreement found among the {n} articles from {m} outlets." if m > 1 else
            "Only one article: no cross-source comparison." if n == 1 else
            f"All {n} articles come from one outlet"
            f"{' (' + next(iter(state.outlets)) + ')' if state.outlets else ''}: no cross-source comparison.")


def _open_questions(state: NoteState) -> None:
    """What to watch: questions the articles raise and statements about what may or will happen."""
    cfg = state.cfg
    pool = [s for s in state.sentences if cfg.min_words <= s.words <= cfg.max_words and not JUNK.search(s.text)
            and (is_question(s.text) or FUTURE.search(s.text))]
    pool.sort(key=lambda ln: -ln.score)
    _take(state, "open_questions", [(ln, "") for ln in pool], cfg.max_open_questions)
    if not state.sections["open_questions"].bullets:
        state.sections["open_questions"].note = "The articles raise no explicit open questions."
