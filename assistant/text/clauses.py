"""The one clause splitter: a long question's separate descriptive pieces, for searching each on its own.

``fine`` also cuts at "and", relative pronouns and "also", which the entity route needs (every descriptor
of the unnamed answer is a piece of evidence); the search plan cuts only at punctuation and contrasts, so
a claim keeps its own "and".
"""

from __future__ import annotations

import re

from .words import STOPWORDS

_BREAKS = re.compile(r"[;,]\s*(?:and |but |or )?|\s+(?:while|whereas|as well as)\s+", re.I)
_FINE_BREAKS = re.compile(r",|;|\band\b|\bwhile\b|\bwhich\b|\bwho\b|\bwhereas\b|\bas well as\b|\balso\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
# Words about the reporting rather than what was reported: "as reported by two sources" is no claim.
_REPORTING = frozenset("article articles report reports reported reporting news source sources same".split())


def content_words(text: str) -> int:
    """Words of three letters or more that are neither stop words nor about the reporting itself."""
    return sum(1 for w in _WORD.findall(text) if w.lower() not in STOPWORDS and w.lower() not in _REPORTING)


def clauses(text: str, min_words: int = 3, fine: bool = False) -> list[str]:
    """The pieces of ``text`` that hold at least ``min_words`` content words, tidied."""
    parts = (_FINE_BREAKS if fine else _BREAKS).split(text)
    return [" ".join(p.split()).strip(" ,;?") for p in parts if content_words(p) >= min_words]
