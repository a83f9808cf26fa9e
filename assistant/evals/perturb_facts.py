"""Fact perturbations of a news sentence: a number scaled, a date shifted, a name swapped (for a corpus
name or one from the same window), and surface variants that keep the claim (the verifier must accept
those). Seeded by the caller's ``random.Random``; each returns None when the sentence offers nothing to change.
"""

from __future__ import annotations

import random
import re

from ..text.mentions import MONTH_NAMES, NameMention, find_dates, find_names, find_numbers
from ..text.words import word_keys

WINDOW_WORDS = 170


def usable(sentence: str) -> bool:
    """Prose sentences of ordinary length with a checkable fact (not menus, captions or link lists)."""
    words = sentence.split()
    if not 8 <= len(words) <= 45 or "http" in sentence or "\n" in sentence or sentence.count("|") > 0:
        return False
    capitalised = sum(w[:1].isupper() for w in words)
    if capitalised > 0.5 * len(words) or not sentence.rstrip("\"'”’").endswith((".", "!", "?")):
        return False
    return bool(find_numbers(sentence) or find_dates(sentence) or find_names(sentence))


def window(body: str, spans: list[tuple[int, int]], i: int, rng: random.Random) -> str:
    """A chunk-sized run of sentences around sentence i, at a random offset, with the body's own spacing."""
    lo, hi = max(0, i - rng.randint(0, 3)), min(len(spans), i + 1 + rng.randint(0, 3))
    while len(body[spans[lo][0]:spans[hi - 1][1]].split()) > WINDOW_WORDS and hi - lo > 1:
        if hi - 1 > i:
            hi -= 1
        elif lo < i:
            lo += 1
        else:
            break
    return body[spans[lo][0]:spans[hi - 1][1]]


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _plain_numbers(sentence: str) -> list:
    """Numbers that are neither years nor part of a date: the ones worth perturbing."""
    dates = find_dates(sentence)
    return [n for n in find_numbers(sentence)
            if not n.is_year and not any(d.start <= n.start < d.end for d in dates)]


def perturb_number(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Scale one number (keeping its written form) to a value the window does not contain."""
    mentions = _plain_numbers(sentence)
    if not mentions:
        return None
    num = rng.choice(mentions)
    seen = {round(n.raw, 6) for n in find_numbers(evidence)} | {round(n.value, 6) for n in find_numbers(evidence)}
    digits = re.search(r"\d[\d,]*(?:\.\d+)?|\.\d+", num.text)
    if digits is None:  # a number word: swap for another
        words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
        match = re.search(r"[A-Za-z]+", num.text)
        options = [w for w, v in words.items() if v != num.raw and v not in seen]
        if not options:
            return None
        return _replace(sentence, num.start + match.start(), num.start + match.end(), rng.choice(options))
    for factor in rng.sample([0.5, 1.5, 2.0, 3.0, 0.25, 1.25], 6):
        value = num.raw * factor if num.raw else float(rng.randint(2, 9))
        value = round(value, num.decimals) if num.decimals else float(round(value) or 1)
        if value == num.raw or round(value, 6) in seen or round(value * num.value / (num.raw or 1), 6) in seen:
            continue
        text = f"{value:,.{num.decimals}f}" if "," in digits.group(0) else f"{value:.{num.decimals}f}"
        return _replace(sentence, num.start + digits.start(), num.start + digits.end(), text)
    return None


def perturb_date(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Shift a date's day or month, or else a bare year."""
    dates = find_dates(sentence)
    years = [n for n in find_numbers(sentence) if n.is_year and not any(d.start <= n.start < d.end for d in dates)]
    if dates:
        date = rng.choice(dates)
        if date.day is not None:
            new_day = rng.choice([d for d in range(1, 29) if d != date.day])
            day = re.search(rf"\b{date.day:d}\b|\b{date.day:02d}\b", date.text)
            if day:
                return _replace(sentence, date.start + day.start(), date.start + day.end(), str(new_day))
        month = re.search(r"[A-Z][a-z]+\.?", date.text)
        if month:
            shift = rng.choice([-3, -2, -1, 1, 2, 3])
            new = MONTH_NAMES[(date.month - 1 + shift) % 12]
            return _replace(sentence, date.start + month.start(), date.start + month.end(), new)
    if years:
        year = rng.choice(years)
        present = {int(n.raw) for n in find_numbers(evidence)}
        options = [int(year.raw) + s for s in (-3, -2, -1, 1, 2, 3) if int(year.raw) + s not in present]
        if options:
            return _replace(sentence, year.start, year.end, str(rng.choice(options)))
    return None


def perturb_name(sentence: str, evidence: str, pool: dict[tuple[int, bool], list[str]],
                  rng: random.Random) -> str | None:
    """Swap a name for a corpus name of the same shape that the window does not mention."""
    picked = _picked_name(sentence, rng)
    if picked is None:
        return None
    name, base = picked
    present = set(word_keys(evidence))
    options = [c for c in pool.get(shape(name), []) if not set(word_keys(c)) <= present and c != base]
    if not options:
        return None
    return _replace(sentence, name.start, name.start + len(base), rng.choice(options))


def _picked_name(sentence: str, rng: random.Random) -> tuple[NameMention, str] | None:
    """One of the sentence's names, at random, and its text without a possessive "'s"."""
    names = find_names(sentence)
    if not names:
        return None
    name = rng.choice(names)
    return name, re.sub(r"['’]s$", "", name.text)


def shape(name: NameMention) -> tuple[int, bool]:
    return min(len(name.text.split()), 3), name.is_acronym


def swap_inside_name(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Swap a name for another name of the same window: facts all present, relation wrong."""
    picked = _picked_name(sentence, rng)
    if picked is None:
        return None
    name, base = picked
    own = set(word_keys(base))
    options = sorted({re.sub(r"['’]s$", "", n.text) for n in find_names(evidence)
                      if shape(n) == shape(name) and not set(word_keys(n.text)) & own})
    return _replace(sentence, name.start, name.start + len(base), rng.choice(options)) if options else None


def swap_inside_number(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Swap a number for another number of the same window."""
    mentions = _plain_numbers(sentence)
    if not mentions:
        return None
    num = rng.choice(mentions)
    options = sorted({m.text for m in find_numbers(evidence)
                      if not m.is_year and m.raw != num.raw and m.value != num.value and re.match(r"\d", m.text)})
    digits = re.search(r"\d[\d,]*(?:\.\d+)?|\.\d+", num.text)
    if not options or digits is None:
        return None
    other = re.search(r"\d[\d,]*(?:\.\d+)?", rng.choice(options))
    return _replace(sentence, num.start + digits.start(), num.start + digits.end(), other.group(0))


_VARIANTS: list[tuple[str, str]] = [
    (r"(\d),(\d{3})\b", r"\1\2"),
    (r"(\d) percent\b", r"\1%"),
    (r"(\d)%", r"\1 percent"),
    (r"\b(Jan|Feb|Aug|Sept|Oct|Nov|Dec)[a-z]*\.? (\d)", r"\1. \2"),
    (r", (?:he|she|they|it) (?:said|says|added|noted)\.$", "."),
    (r"^(?:But|And|However|Meanwhile|Still|Also|So),? ", ""),
    (r"\b(?:very|really|also|just) ", ""),
]


def variant(sentence: str, rng: random.Random) -> str | None:
    """The same claim in another surface form, or its first clause when no rewrite applies."""
    out = sentence
    for pattern, repl in rng.sample(_VARIANTS, len(_VARIANTS)):
        out = re.sub(pattern, repl, out)
    if out != sentence:
        return out[0].upper() + out[1:]
    if re.match(r"(?:If|When|Even|As|Although|Though|Because|While|By|After|Before|Since|Unless|With)\b", sentence):
        return None  # the first clause would be a fragment
    clause = re.match(r"(.{40,}?\w), (?:and|but|while|which|as|although|according to) ", sentence)
    return clause.group(1) + "." if clause and len(clause.group(1).split()) >= 8 else None


def detokenize(text: str) -> str:
    """CNN/DailyMail references are PTB-tokenised ("Locke 's first six games ."): undo that."""
    text = re.sub(r" ([.,;:!?%)])", r"\1", text)
    text = re.sub(r" (['’]s|n't|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    return text.replace("`` ", '"').replace(" ''", '"').replace("( ", "(").replace("$ ", "$")
