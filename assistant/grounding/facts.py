"""The hard checks: every number, date, proper name and quotation of a sentence must occur in the cited
passages (after normalisation). They catch the changed-number / swapped-name / shifted-date errors an
embedding barely notices, and each failure is a reason that rejects the sentence whatever the model says.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..core.passage import Passage
from ..text.mentions import (
    NAME_CONNECTORS,
    DateMention,
    NumberMention,
    find_dates,
    find_names,
    find_numbers,
    find_quotes,
)
from ..text.initials import Initials, spell_like
from ..text.placeholders import mask_placeholders
from ..text.sentences import split_sentences
from ..text.words import STOPWORDS, content_keys, normalize, word_keys
from .citations import strip_markers


def evidence_text(passage: Passage) -> str:
    """A passage as verifier evidence: title, outlet and date first, so sentences may cite them too."""
    head = ". ".join(p for p in (passage.article.title.strip(), passage.article.source.strip(),
                                 passage.article.published_at[:10]) if p)
    return f"{head}. {passage.text}" if head else passage.text


def lexical_support(sentence: str, passages: Sequence[str]) -> float:
    """Share of the sentence's content words found in the passages (1.0 when it has none): a cheap signal."""
    claimed = set(content_keys(sentence))
    if not claimed:
        return 1.0
    present = {k for text in passages for k in word_keys(text)}
    return len(claimed & present) / len(claimed)


class Evidence:
    """What the cited passages contain, in comparison form: built once per set of cited passages."""

    def __init__(self, texts: Sequence[str]) -> None:
        joined = "\n\n".join(texts)
        self.norm = f" {normalize(joined)} "
        self.keys = set(word_keys(joined))
        self.numbers = find_numbers(joined)
        self.dates = find_dates(joined)
        self.initials = Initials.of(joined)  # "SEC" and "(The) Securities and Exchange Commission"

    def has_number(self, num: NumberMention) -> bool:
        for seen in self.numbers:
            if math.isclose(num.value, seen.value, rel_tol=1e-9) or math.isclose(num.value, seen.raw, rel_tol=1e-9):
                return True
            same_scale = math.isclose(num.value / (num.raw or 1), seen.value / (seen.raw or 1), rel_tol=1e-9)
            if same_scale and 0 < num.decimals < seen.decimals and abs(seen.raw - num.raw) <= 0.5 * 10 ** -num.decimals:
                return True  # "3.5%" for "3.47%": a rounding, not a new number (but "4" is not "4.5")
        return False

    def has_date(self, date: DateMention) -> bool:
        years = {n.raw for n in self.numbers}
        for seen in self.dates:
            if seen.month != date.month or date.day is not None and seen.day != date.day:
                continue
            if date.year is None or seen.year == date.year or seen.year is None and date.year in years:
                return True
        return False

    def has_words(self, text: str) -> bool:
        """Every word of ``text`` (but connectors) occurs."""
        return all(k in self.keys for k in word_keys(text) if k not in NAME_CONNECTORS)

    def has_name(self, text: str, is_acronym: bool, at_start: bool) -> bool:
        """All words of the name occur, a name written by its initials on one side and in full on the other
        counting as the same ("EU", "European Union"); at sentence start the first word may be a common word
        ("Midfielder X")."""
        text = re.sub(r"['’]s$", "", text)
        if is_acronym:
            letters = "".join(c for c in text if c.isalnum())
            if self.initials.written(letters):
                return True
            if letters.lower() in STOPWORDS:  # "US" must not match the pronoun "us"
                return False
        parts = [k for k in word_keys(spell_like(text, self.initials, self.has_words)) if k not in NAME_CONNECTORS]
        if at_start and len(parts) > 1:
            parts = parts[1:]
        return all(k in self.keys for k in parts)

    def has_quote(self, quote: str) -> bool:
        parts = [normalize(p) for p in quote.replace("…", "...").split("...")]
        return all(f" {p} " in self.norm for p in parts if p)


def missing_facts(sentence: str, cited_passages: Sequence[str]) -> list[str]:
    """Reasons naming each number, date, name or quote of the sentence that the passages don't contain."""
    return missing(strip_markers(sentence), Evidence(cited_passages))


def missing(sentence: str, evidence: Evidence) -> list[str]:
    """One reason per number, date, name or quote of the sentence that the evidence lacks. A tokenizer
    placeholder ("UNK", "<unk>") is an unknown word, neither a name nor part of one (``text.placeholders``)."""
    sentence = mask_placeholders(sentence)
    reasons: list[str] = []
    dates = find_dates(sentence)
    for date in dates:
        if not evidence.has_date(date):
            reasons.append(f"date '{date.text}' is not in the cited passages")
    for num in find_numbers(sentence):
        if any(d.start <= num.start < d.end for d in dates) or evidence.has_number(num):
            continue
        kind = "year" if num.is_year else "number"
        reasons.append(f"{kind} '{num.text}' is not in the cited passages")
    for name in find_names(sentence):
        if not evidence.has_name(name.text, name.is_acronym, name.at_start):
            reasons.append(f"name '{name.text}' is not in the cited passages")
    for quote in find_quotes(sentence):
        if not evidence.has_quote(quote.text):
            reasons.append(f"quote \"{quote.text}\" is not in the cited passages")
    return reasons


def passage_windows(text: str) -> list[str]:
    """Single sentences and adjacent pairs: a claim usually restates one or two sentences, not a chunk."""
    sentences = split_sentences(text)
    pairs = [f"{a} {b}" for a, b in zip(sentences, sentences[1:])]
    return list(dict.fromkeys(sentences + pairs)) or [text]
