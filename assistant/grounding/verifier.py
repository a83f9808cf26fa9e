"""Check each answer sentence against the passages it cites.

The default model is tiny and invents facts, so a sentence counts as supported only when (1) it cites a
valid passage, (2) every number, date, proper name and quotation in it occurs in the cited passages
after normalisation, and (3) its embedding is close enough to some sentence (or pair of adjacent
sentences) of a cited passage. (2) catches the changed-number / swapped-name / shifted-date errors an
embedding barely notices; (3) catches claims the passages don't make at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.passage import Passage
from ..index.embedder import Embedder
from ..index.vectors import UnitVectors
from ..text.mentions import (
    NAME_CONNECTORS,
    DateMention,
    NumberMention,
    find_dates,
    find_names,
    find_numbers,
    find_quotes,
)
from ..text.sentences import split_sentences
from ..text.words import STOPWORDS, content_keys, fold, normalize, word_keys
from .citations import CitedSentence, strip_markers

DEFAULT_THRESHOLD = 0.45
_TITLED = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|for|the|on|&)\s+)?[A-Z][\w'’-]*)+")


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported, the problems found, and its best window similarity.

    ``reasons`` is empty for a supported sentence unless it also cited a passage number that does not exist.
    """

    supported: bool
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0


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


class _Evidence:
    """What the cited passages contain, in comparison form: built once per set of cited passages."""

    def __init__(self, texts: Sequence[str]) -> None:
        joined = "\n\n".join(texts)
        self.norm = f" {normalize(joined)} "
        self.keys = set(word_keys(joined))
        self.numbers = find_numbers(joined)
        self.dates = find_dates(joined)
        self.acronyms = {"".join(c for c in w if c.isalnum()) for w in fold(joined).split()
                         if sum(c.isupper() for c in w) >= 2}
        for name in _TITLED.finditer(joined):  # "(The) Securities and Exchange Commission" stands for "SEC"
            words = [w for w in name.group(0).split() if w[0].isupper()]
            if words[0].lower() in STOPWORDS:
                words = words[1:]
            self.acronyms.add("".join(w[0] for w in words))

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

    def has_name(self, text: str, is_acronym: bool, at_start: bool) -> bool:
        """All words of the name occur; at sentence start the first word may be a common word ("Midfielder X")."""
        text = re.sub(r"['’]s$", "", text)
        parts = [k for k in word_keys(text) if k not in NAME_CONNECTORS]
        if is_acronym:
            letters = "".join(c for c in text if c.isalnum())
            if letters in self.acronyms:
                return True
            if letters.lower() in STOPWORDS:  # "US" must not match the pronoun "us"
                return False
        if at_start and len(parts) > 1:
            parts = parts[1:]
        return all(k in self.keys for k in parts)

    def has_quote(self, quote: str) -> bool:
        parts = [normalize(p) for p in quote.replace("…", "...").split("...")]
        return all(f" {p} " in self.norm for p in parts if p)


def missing_facts(sentence: str, cited_passages: Sequence[str]) -> list[str]:
    """Reasons naming each number, date, name or quote of the sentence that the passages don't contain."""
    return _missing(strip_markers(sentence), _Evidence(cited_passages))


def _missing(sentence: str, evidence: _Evidence) -> list[str]:
    """One reason per number, date, name or quote of the sentence that the evidence lacks."""
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


class Verifier:
    """Sentence-level support checks; embeddings of passage windows are cached across calls.

    Only the ``max_windows`` windows sharing the most content words with a sentence are embedded for
    it: MiniLM manages about 60 texts/s on two cores, and the best window is almost always among them.
    """

    def __init__(self, embedder: Embedder | UnitVectors, threshold: float = DEFAULT_THRESHOLD,
                 max_windows: int = 8) -> None:
        self.vectors = UnitVectors.of(embedder)
        self.threshold = threshold
        self.max_windows = max_windows

    def check(self, sentence: str, cited_passages: Sequence[str]) -> Verdict:
        """Verdict for one sentence given the texts of the passages it cites."""
        return self.check_many([(sentence, cited_passages)])[0]

    def check_answer(self, sentences: Sequence[CitedSentence], passages: Sequence[str]) -> list[Verdict]:
        """Verdicts for parsed answer sentences; ``passages[n - 1]`` is the text of citation [n]."""
        verdicts = self.check_many([(s.text, [passages[n - 1] for n in s.citations]) for s in sentences])
        out = []
        for sent, verdict in zip(sentences, verdicts):
            if sent.invalid:
                cited = ", ".join(f"[{n}]" for n in sent.invalid)
                note = f"cites {cited}, not among the {len(passages)} passages"
                verdict = Verdict(verdict.supported, [*verdict.reasons, note], verdict.similarity)
            out.append(verdict)
        return out

    def check_many(self, claims: Sequence[tuple[str, Sequence[str]]]) -> list[Verdict]:
        """Verdicts for (sentence, cited passage texts) pairs, embedding everything new in one batch."""
        texts = [strip_markers(sentence) for sentence, _ in claims]
        windows = {p: passage_windows(p) for _, cited in claims for p in cited}
        window_keys = {w: set(content_keys(w)) for ws in windows.values() for w in ws}
        chosen = [self._closest(text, [w for p in cited for w in windows[p]], window_keys)
                  for text, (_, cited) in zip(texts, claims)]
        embedded = [*texts, *(w for ws in chosen for w in ws)]
        vector_of = dict(zip(embedded, self.vectors.vectors(embedded)))
        evidence: dict[tuple[str, ...], _Evidence] = {}
        verdicts = []
        for text, (_, cited), candidates in zip(texts, claims, chosen):
            if not cited:
                verdicts.append(Verdict(False, ["cites no passage"], 0.0))
                continue
            key = tuple(cited)
            if key not in evidence:
                evidence[key] = _Evidence(cited)
            reasons = _missing(text, evidence[key])
            query = vector_of[text]
            similarity = max(float(query @ vector_of[w]) for w in candidates)
            if similarity < self.threshold:
                reasons.append(f"similarity {similarity:.3f} is below {self.threshold:.3f}")
            verdicts.append(Verdict(not reasons, reasons, round(similarity, 4)))
        return verdicts

    def _closest(self, text: str, candidates: list[str], window_keys: dict[str, set[str]]) -> list[str]:
        """The candidate windows sharing the most content words with the sentence (all, if few)."""
        if len(candidates) <= self.max_windows:
            return candidates
        claimed = set(content_keys(text))
        return sorted(candidates, key=lambda w: -len(claimed & window_keys[w]))[:self.max_windows]
