"""The reduce step: each section of the note chosen from the candidate pool, nothing said twice.

Prose (bottom line, key developments) fills a word budget by maximal marginal relevance; actors,
quotes, timeline, differences and open questions are taken from the text, where they can be checked
exactly.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from ..text.mentions import MONTH_NAMES, find_dates, find_names
from ..text.words import STOPWORDS, fold
from .lines import (
    ACTION,
    DISPUTE,
    FUTURE,
    JUNK,
    QUOTE_RES,
    SPEECH,
    WEEKDAYS,
    Line,
    name_key,
    speaker,
)
from .model import Bullet
from .notes import model_bottom_line
from .pool import best_line, repeats
from .state import NoteState


def build_sections(state: NoteState) -> None:
    """Every section, in the order that decides which section a line shared by several goes to."""
    budget = min(state.cfg.prose_words + state.cfg.prose_words_per_extra_article * (len(state.articles) - 1),
                 state.cfg.prose_words_max)
    used_words = _bottom_line(state, budget)
    _key_developments(state, budget, used_words)
    _actors(state)
    _quotes(state)
    _timeline(state)
    _differences(state)
    _open_questions(state)


def _bottom_line(state: NoteState, budget: int) -> int:
    """Two sentences (three when two are short); returns the words used."""
    pool = [*model_bottom_line(state), *state.lines] if state.llm is not None else state.lines
    bottom = _fill(state, [], pool, want=2, words_cap=budget)
    if len(bottom) == 2 and sum(b.words for b in bottom) < state.cfg.short_bottom_line:
        bottom = _fill(state, bottom, pool, want=3, words_cap=budget)
    if len(state.articles) == 1:
        bottom.sort(key=lambda line: line.position)  # one article: keep its order
    _emit(state, "bottom_line", bottom)
    return sum(b.words for b in bottom)


def _key_developments(state: NoteState, budget: int, used_words: int) -> None:
    """The model's notes and the articles' sentences, best first, until the prose budget is spent."""
    cfg = state.cfg
    pool = [*state.notes, *state.lines]
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
    _emit(state, "key_developments", developments)


def _fill(state: NoteState, chosen: list[Line], pool: Sequence[Line], want: int, words_cap: int) -> list[Line]:
    chosen = list(chosen)
    while len(chosen) < want:
        room = words_cap - sum(c.words for c in chosen) if chosen else state.cfg.max_words
        pick = best_line(state, [c for c in pool if c.words <= max(room, 25)], chosen)
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
    """Named people and organisations that say or do something, most active first, each with the
    best line where they act."""
    mentions: Counter[str] = Counter()
    acting: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    lines_for: dict[str, list[Line]] = defaultdict(list)
    excluded = {fold(o).lower() for o in state.outlets}
    for line in state.lines:
        for name in find_names(line.text):
            words = name.text.split()
            key = name_key(name.text)
            if not key or key in WEEKDAYS or key in STOPWORDS or fold(name.text).lower() in excluded:
                continue
            if len(words) == 1 and not name.is_acronym and len(words[0]) < 3:
                continue
            mentions[key] += 1
            forms[key][name.text] += 1
            after = line.text[name.end:name.end + 40]
            if ACTION.match(after.strip()) or re.search(rf"(?:{SPEECH})\s+$", line.text[:name.start]):
                acting[key] += 1
                lines_for[key].insert(0, line)
            else:
                lines_for[key].append(line)
    ranked = sorted((k for k in mentions if acting[k] or mentions[k] >= 2),
                    key=lambda k: (-acting[k], -mentions[k], k))
    candidates = []
    for key in ranked:
        actor_lines = lines_for[key]
        acting_lines = actor_lines[:acting[key]] or actor_lines
        line = max(acting_lines, key=lambda ln: ln.score)
        label = max((f for f in forms[key] if f in line.text), key=len, default=max(forms[key], key=len))
        candidates.append((line, label))
    _take(state, "actors", candidates, state.cfg.max_actors)
    if not state.sections["actors"].bullets:
        state.sections["actors"].note = "No named actors stand out in these articles."


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
                line = Line(f"{who}: “{quote}”", ai, [passage], 0)
                found.append((line, who, _sentence_score(state, ai, quote)))
    return found


def _sentence_score(state: NoteState, ai: int, fragment: str) -> float:
    key = fold(fragment)[:60]
    for line in state.sentences:
        if line.article == ai and key[:40] in fold(line.text):
            return line.score
    return 0.0


def _timeline(state: NoteState) -> None:
    """Dated events: sentences that name a date with its year (a year is never guessed: "June" in
    an October article may be last June), then each article's best line under its publication
    date; in date order."""
    events: list[tuple[tuple[int, int, int], str, Line]] = []
    for line in sorted(state.lines, key=lambda ln: -ln.score):
        dates = [d for d in find_dates(line.text) if d.year]
        if not dates:
            continue
        date = dates[0]
        events.append(((date.year, date.month, date.day or 0), _date_label(date.year, date.month, date.day), line))
    for ai, article in enumerate(state.articles):
        day = article.published_at[:10]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            first = [ln for ln in state.lines if ln.article == ai and not repeats(state, ln, state.used)]
            if first:
                y, m, d = (int(x) for x in day.split("-"))
                lead = max(first, key=lambda ln: ln.score)
                events.append(((y, m, d), f"{day} ({article.source or 'published'})", lead))
    taken: list[tuple[tuple[int, int, int], str, Line]] = []
    for event in events:
        if len(taken) == state.cfg.max_timeline:
            break
        if any(event[2] is t[2] for t in taken) or repeats(state, event[2], state.used):
            continue
        taken.append(event)
        state.used.append(event[2])
    taken.sort(key=lambda e: e[0])
    _emit(state, "timeline", [t[2] for t in taken], [t[1] for t in taken])
    if not taken:
        dated = any(find_dates(line.text) for line in state.used)
        state.sections["timeline"].note = ("No further dated events (the dates are in the lines above)." if dated
                                           else "The articles give no dates for these events.")


def _date_label(year: int | None, month: int, day: int | None) -> str:
    if year and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    parts = [MONTH_NAMES[month - 1]] + ([str(day)] if day else [])
    return " ".join(parts) + (f" {year}" if year else "")


def _differences(state: NoteState) -> None:
    """Lines where sources disagree: similar statements from different outlets with different
    numbers, names or dates, then statements of denial or dispute."""
    limit = state.cfg.max_differences
    count = 0
    for a, b in _differing_pairs(state):
        if count == limit:
            break
        if repeats(state, a, state.used) or repeats(state, b, state.used):
            continue
        bullet = Bullet(a.text, list(a.passages), label=state.source(a))
        bullet.contrast = Bullet(b.text, list(b.passages), label=state.source(b))
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


def _differing_pairs(state: NoteState) -> list[tuple[Line, Line]]:
    """Pairs of lines from different outlets about the same actor, similar but not the same wording,
    whose numbers or dates differ; most similar first."""
    from ..grounding.verifier import missing_facts

    cfg = state.cfg
    pairs: list[tuple[float, Line, Line]] = []
    if len(state.outlets) > 1:
        lines = [ln for ln in state.lines if re.search(r"\d|[A-Z]", ln.text[1:])]
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                if state.source(a) == state.source(b):
                    continue
                sim = float(a.vec @ b.vec)
                if sim < cfg.differ_cosine_min or sim >= cfg.differ_cosine_max:
                    continue
                names_a = {name_key(n.text) for n in find_names(a.text)}
                if not names_a & {name_key(n.text) for n in find_names(b.text)}:
                    continue  # not about the same actor
                gaps = [r for r in missing_facts(a.text, [b.text]) if r.startswith(("number", "date", "year"))]
                if gaps:
                    pairs.append((sim, a, b))
    pairs.sort(key=lambda p: -p[0])
    return [(a, b) for _, a, b in pairs]


def _open_questions(state: NoteState) -> None:
    """What to watch: questions the articles raise and statements about what may or will happen."""
    cfg = state.cfg
    pool = [s for s in state.sentences if cfg.min_words <= s.words <= cfg.max_words and not JUNK.search(s.text)
            and (s.text.rstrip("\"'”’ ").endswith("?") or FUTURE.search(s.text))]
    pool.sort(key=lambda ln: -ln.score)
    _take(state, "open_questions", [(ln, "") for ln in pool], cfg.max_open_questions)
    if not state.sections["open_questions"].bullets:
        state.sections["open_questions"].note = "The articles raise no explicit open questions."
