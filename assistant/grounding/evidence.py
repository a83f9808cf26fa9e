"""Cited passages prepared once for every claim that cites them: sentences, windows and their word keys.

A claim usually restates one sentence or two adjacent ones, so those are the windows it is compared with;
a window never spans two passages. A claim is read with its names written as the passages write them
(``text.initials``: "EU" for "European Union", or the reverse), so an organisation by its initials is not a
missing word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..text.initials import spell_like
from ..text.sentences import split_sentences
from ..text.words import content_keys, word_keys
from .arcs import WordPlaces
from .facts import Evidence


def ngrams(keys: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """The n-grams of a key sequence."""
    return {tuple(keys[i:i + n]) for i in range(len(keys) - n + 1)}


@dataclass
class Window:
    """One sentence or two adjacent ones, with the indexes of the sentences it holds."""

    text: str
    sentences: tuple[int, ...]
    keys: list[str]
    content: set[str]
    grams: dict[int, set[tuple[str, ...]]] = field(default_factory=dict)

    def gram_set(self, n: int) -> set[tuple[str, ...]]:
        if n not in self.grams:
            self.grams[n] = ngrams(self.keys, n)
        return self.grams[n]


class EvidenceSet:
    """The cited passages as the support features read them (built once per distinct set of passages)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.facts = Evidence(texts)
        self.sentences: list[str] = []
        self.windows: list[Window] = []
        for text in texts:
            first = len(self.sentences)
            sentences = split_sentences(text) or [text]
            self.sentences.extend(sentences)
            singles = [self._window(s, (i,)) for i, s in enumerate(sentences, first)]
            self.windows.extend(singles)
            self.windows.extend(Window(f"{a.text} {b.text}", (*a.sentences, *b.sentences), a.keys + b.keys,
                                       a.content | b.content)  # a pair's keys are its sentences' keys
                                for a, b in zip(singles, singles[1:]))
        self.singles = [w for w in self.windows if len(w.sentences) == 1]
        self.keys = set(self.facts.keys)
        self.bigrams = set().union(*(w.gram_set(2) for w in self.singles)) if self.singles else set()
        self.places = WordPlaces([w.keys for w in self.singles])
        self.roles: dict[str, list] = {}  # sentence -> its verbs' roles (``roles.roles``), filled as claims need them

    @staticmethod
    def _window(text: str, sentences: tuple[int, ...]) -> Window:
        return Window(text, sentences, word_keys(text), set(content_keys(text)))

    def read(self, claim: str) -> tuple[list[str], set[str]]:
        """The claim's word keys in order and its content words, its names written as the passages write them."""
        claim = spell_like(claim, self.facts.initials, self.facts.has_words)
        return word_keys(claim), set(content_keys(claim))

    def closest(self, claimed: set[str], count: int, singles: bool = False) -> list[Window]:
        """The ``count`` windows (or single sentences) sharing the most content words with the claim."""
        pool = self.singles if singles else self.windows
        return sorted(pool, key=lambda w: -len(claimed & w.content))[:count]
