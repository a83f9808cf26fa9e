"""Initials: a name written by its initials in one text and in full in another ("EU" = "European Union").

A text's acronyms are its all-capital words ("EU", "U.S."); what it spells out are the runs of capitalised
words (lower-case connectors such as "of" or "and" between them), each contiguous part of two or more
words with its initials ("European Union Commissioner" spells "EUC", and its parts "European Union" "EU"
and "Union Commissioner" "UC"). A word already in capitals is an abbreviation itself, so a part holding
one spells nothing. ``spell_like`` rewrites one text's names the way another text writes them, so word
comparisons see one name, not two.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .words import STOPWORDS, without_possessive

# Capitalised words, with up to one lower-case connector between two of them.
_CAPITALISED = r"[A-Z](?:[\w'’-]|\.(?=\w))*"  # a dot only inside ("U.S"), never a full stop
_RUN = re.compile(rf"{_CAPITALISED}(?:\s+(?:(?:of|and|for|the|on|de|&)\s+)?{_CAPITALISED})+")
_CAPITAL = re.compile(_CAPITALISED)
_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][\w'’&]*")  # "EU-India" is two words
_LONGEST = 6  # capitalised words in one spelled-out part (a longer run is a list of names, not one)


def acronym(word: str) -> str:
    """The word's letters when it is written in capitals ("U.S." -> "US", "NATO", "EU's" -> "EU"), else ""."""
    letters = "".join(c for c in without_possessive(word) if c.isalpha())
    return letters if len(letters) >= 2 and letters.isupper() else ""


_DETERMINED = re.compile(r"(?:\b(?:the|a|an|this|that|its|their|his|her|our)|['’]s)\s*$", re.I)


def in_full(before: str, acronym_text: str, full: str) -> str:
    """What replaces ``acronym_text`` when a sentence names it by its spelled-out ``full`` name, given the
    sentence's text ``before`` it: a bare acronym ("FAA also has …") takes "the" ("The Federal Aviation
    Administration also has …"), one after a determiner or a possessive does not; a name that is no acronym
    is replaced as it is."""
    if not acronym(acronym_text) or len(full.split()) < 2 or _DETERMINED.search(before):
        return full
    return "The " + full if not before.strip() else "the " + full


@dataclass(frozen=True)
class Spelled:
    """A spelled-out name: its text, character span, and its initials (with and without connectors:
    "Bank of England" gives "BE" and "BOE")."""

    text: str
    start: int
    end: int
    initials: frozenset[str]


def spelled_out(text: str) -> list[Spelled]:
    """Every part of two or more capitalised words of the text's runs that can stand for an acronym: no
    capitalised stop word at its start ("The European Union" gives "European Union"), no word in capitals."""
    out = []
    for run in _RUN.finditer(text):
        words = [(m.start() + run.start(), m.end() + run.start(), m.group(0)) for m in _CAPITAL.finditer(run.group(0))]
        for i, (start, _, first) in enumerate(words):
            if first.lower() in STOPWORDS or acronym(first):
                continue
            for j in range(i + 1, min(len(words), i + _LONGEST)):
                if acronym(words[j][2]):
                    break
                end = words[j][1]
                heads = "".join(w[2][0] for w in words[i:j + 1])
                between = "".join(w[0] for w in text[start:end].split() if not w[0].isupper())
                with_connectors = "".join(w[0] for w in text[start:end].split()).upper()
                out.append(Spelled(text[start:end], start, end,
                                   frozenset({heads, with_connectors} if between else {heads})))
    return out


@dataclass
class Initials:
    """What one text writes in capitals and what it spells out, for comparing another text's names."""

    acronyms: set[str] = field(default_factory=set)
    spelled: dict[str, str] = field(default_factory=dict)  # initials -> the first name spelled with them

    @classmethod
    def of(cls, text: str) -> "Initials":
        found = cls({a for m in _WORD.finditer(text) if (a := acronym(m.group(0)))})
        for name in spelled_out(text):
            for letters in name.initials:
                found.spelled.setdefault(letters, name.text)
        return found

    def written(self, letters: str) -> bool:
        """The text writes this acronym, or spells out a name with these initials."""
        return letters in self.acronyms or letters in self.spelled


def spell_like(text: str, other: Initials, known: Callable[[str], bool]) -> str:
    """``text`` with its names written as ``other`` writes them: an acronym ``known`` does not find becomes
    the name ``other`` spells out with those initials, and a spelled-out name ``known`` does not find becomes
    the acronym ``other`` writes for it (longest names first). ``known(name)`` says whether the other text
    already has the name as written."""
    edits: list[tuple[int, int, str]] = []
    for name in sorted(spelled_out(text), key=lambda s: s.start - s.end):
        if _overlaps(edits, name.start, name.end) or known(name.text):
            continue
        letters = next((a for a in sorted(name.initials) if a in other.acronyms), None)
        if letters:
            edits.append((name.start, name.end, letters))
    for m in _WORD.finditer(text):
        letters = acronym(m.group(0))
        if letters in other.spelled and not _overlaps(edits, m.start(), m.end()) and not known(m.group(0)):
            edits.append((m.start(), m.end(), other.spelled[letters]))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _overlaps(edits: Iterable[tuple[int, int, str]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e, _ in edits)
