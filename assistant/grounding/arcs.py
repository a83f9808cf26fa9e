"""Dependency arcs of a claim against the evidence: do the words the claim links occur linked in the passage?

A summary can use only the passage's words and still attach them wrongly: the right place to the wrong
event, an adjective to another noun, an act to another actor (entity, relation and circumstance errors).
In the spirit of DAE (Goyal & Durrett 2020, which judges each dependency arc), without its model: each arc
between two content words of the claim (a preposition collapsed to its head: "arrested in Paris" links
"arrested" and "Paris") is looked up in the evidence sentences, and the share of arcs whose two words never
meet in one sentence, or never within a few words of each other, becomes a feature.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..text.nlp import coarse_pos
from ..text.words import STOPWORDS, word_key

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

NEAR = 6  # words apart in one evidence sentence that still count as close to each other


def _content(token: "Token") -> str | None:
    key = word_key(token.text)
    return key if len(key) > 1 and key.isalnum() and key not in STOPWORDS else None


def _head(token: "Token") -> "Token":
    """The word a token depends on, skipping prepositions and case markers (their object links to their head)."""
    head = token.head
    while coarse_pos(head) in ("ADP", "PART") and head.head.i != head.i:
        head = head.head
    return head


def claim_arcs(doc: "Doc") -> list[tuple[str, str]]:
    """(head key, dependent key) of each arc between two distinct content words of the claim."""
    arcs = []
    for token in doc:
        head = _head(token)
        if head.i == token.i:
            continue
        a, b = _content(head), _content(token)
        if a and b and a != b:
            arcs.append((a, b))
    return list(dict.fromkeys(arcs))


class WordPlaces:
    """Where each word key occurs in the evidence: (sentence index, word position) pairs."""

    def __init__(self, sentence_keys: Sequence[Sequence[str]]) -> None:
        self.places: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for s, keys in enumerate(sentence_keys):
            for i, key in enumerate(keys):
                self.places[key].append((s, i))

    def arc_gaps(self, arcs: Sequence[tuple[str, str]]) -> tuple[float, float]:
        """Among arcs whose two words both occur in the evidence: the share never in one sentence, and the
        share never within ``NEAR`` words of each other in one sentence (0, 0 when there are none)."""
        apart = far = total = 0
        for a, b in arcs:
            pa, pb = self.places.get(a), self.places.get(b)
            if not pa or not pb:
                continue
            total += 1
            by_sentence = defaultdict(list)
            for s, i in pa:
                by_sentence[s].append(i)
            shared = [(i, j) for s, j in pb for i in by_sentence.get(s, ())]
            apart += not shared
            far += not any(abs(i - j) <= NEAR for i, j in shared)
        return (apart / total, far / total) if total else (0.0, 0.0)
