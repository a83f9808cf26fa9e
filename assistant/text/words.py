"""Words: folding, normalised comparison form, word keys and content words (stdlib only)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .markers import CITATION_RE

STOPWORDS: frozenset[str] = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how however i if in into is it its itself just me meanwhile more
most my no nor not now of off on once only or other our ours out over own same she should so some still
such than that the their theirs them then there these they this those through to too under until up us
very was we were what when where which while who whom why will with would yet you your according said says
""".split())

SAYING: frozenset[str] = frozenset(
    "say tell announce state claim warn write declare argue insist explain note confirm reveal admit deny tweet post "
    "suggest promise pledge predict testify acknowledge allege add comment reply respond stress report".split())
"""Lemmas of verbs of saying (VerbNet's say/tell/declare classes): the verb that makes its subject a speaker."""
_POSSESSIVE = re.compile(r"['’]s$", re.I)


def without_possessive(word: str) -> str:
    """The word without a possessive "'s" ("Kubilius's" -> "Kubilius", "EU’S" -> "EU"), in any case."""
    return _POSSESSIVE.sub("", word)


_FOLD = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'",
    "′": "'", "″": '"', "–": "-", "—": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ",
})


def fold(text: str) -> str:
    """ASCII quotes, dashes and spaces, keeping length and case so character spans stay valid."""
    return text.translate(_FOLD)


def normalize(text: str) -> str:
    """Lower-case comparison form: NFKC, folded punctuation, no thousands separators, single spaces.

    Punctuation becomes a space except where it is part of a number ("3.5", "50%"), so
    "Apple’s  “iPhone 15”" and "apple's iphone 15" compare equal.
    """
    text = unicodedata.normalize("NFKC", fold(text)).lower()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"'s\b|s'(?=\s|$)", lambda m: "" if m.group(0) == "'s" else "s", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)|[^\w.%$\s]", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)  # the same words recur across every sentence compared
def word_key(token: str) -> str:
    """A word's comparison key: lower case, no possessive, no dots ("U.S." -> "us"), simple plural removed."""
    key = fold(token).lower()
    if key.endswith("'s"):
        key = key[:-2]
    key = key.replace(".", "").strip("'")
    if len(key) > 4 and key.endswith("ies"):
        return key[:-3] + "y"
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’&][^\W_]+)*")


def whole_phrase(phrase: str) -> re.Pattern[str]:
    """``phrase`` as whole words of a text: no letter, digit or hyphen touching either end, so "U.K." is
    found before a comma, "Lee" not in "Leeds" and "Fried" not in "Bankman-Fried"."""
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")


def word_keys(text: str) -> list[str]:
    """Comparison keys of every word; hyphenated words count as their parts ("Bankman-Fried")."""
    return [word_key(m.group(0)) for m in _WORD.finditer(text)]


def content_keys(text: str) -> list[str]:
    """Word keys without stop words and citation markers: what a sentence actually claims."""
    return [k for k in word_keys(CITATION_RE.sub(" ", text)) if k not in STOPWORDS and len(k) > 1]


# --- sentences -------------------------------------------------------------------------------------

