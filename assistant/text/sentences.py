"""Sentence boundaries that respect abbreviations, numbers, list items and citation markers."""

from __future__ import annotations

import re

from .markers import CITATION_MARK
from .words import STOPWORDS

# Never end a sentence: titles and month abbreviations precede what they belong to.
_ABBREV_NEVER = frozenset(
    "mr mrs ms dr prof st mt gen gov sen rep lt col capt sgt rev hon pres supt vs v approx est dept univ "
    "eg ie cf al jan feb mar apr jun jul aug sep sept oct nov dec".split())
# Only before a number ("No. 3", "Vol. 2").
_ABBREV_NUMBER = frozenset("no nos vol fig art p pp".split())
# May end a sentence: split only when a typical sentence opener follows ("... the U.S. The ...").
_ABBREV_MAYBE = frozenset("inc ltd co corp llc plc etc jr sr bros us uk un eu am pm dc".split())
_OPENERS = frozenset(w for w in STOPWORDS if len(w) > 1) | {"i", "a"}

_BOUNDARY = re.compile(
    r"(?:[.!?]+|…)"                      # terminal punctuation
    r"[\"'”’»)\]]*"                      # closing quotes and brackets
    rf"(?:\s*{CITATION_MARK})*"          # citation markers placed after the full stop
    r"(?=\s|$)",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"\s*(?:\d{1,2}[.)]|[-*•])\s*$")


def sentence_spans(text: str, newline_breaks: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding whitespace.

    Blank lines always end a sentence; single newlines too when ``newline_breaks`` (model output, where
    a line is an item) or when the next line is a list item. Abbreviations, initials and decimals don't.
    """
    breaks = r"\n" if newline_breaks else r"\n\s*\n|\n(?=\s*(?:[-*•]|\d{1,2}[.)])\s)"
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in re.finditer(breaks, text):
        spans.extend(_block_spans(text[pos:match.start()], pos))
        pos = match.end()
    spans.extend(_block_spans(text[pos:], pos))
    return spans


def _block_spans(block: str, offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        end = match.end()
        if _is_boundary(block, start, match):
            spans.append((start, end))
            start = end
    spans.append((start, len(block)))
    out = []
    for lo, hi in spans:
        piece = block[lo:hi]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((offset + lo + lead, offset + lo + len(piece.rstrip())))
    return out


def _is_boundary(block: str, start: int, match: re.Match[str]) -> bool:
    rest = block[match.end():].lstrip()
    if not rest:
        return True
    nxt = rest[0]
    if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘([«-*•"):
        return False
    if _LIST_ITEM.fullmatch(block[start:match.end()]):
        return False
    if match.group(0)[0] != "." or match.group(0).startswith(".."):
        return True
    before = re.search(r"(\S+)$", block[start:match.start()])
    if not before:
        return True
    word = before.group(1).lstrip("\"'“‘([").lower()
    bare = word.replace(".", "")
    next_word = re.match(r"[\"'“‘(]*([^\W\d_]+)", rest)
    opener = bool(next_word) and next_word.group(1).lower() in _OPENERS
    if bare in _ABBREV_NEVER:
        return False
    if bare in _ABBREV_NUMBER:
        return not nxt.isdigit()
    if bare in _ABBREV_MAYBE or len(bare) == 1 and bare.isalpha() or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return opener
    return True


def split_sentences(text: str, newline_breaks: bool = False) -> list[str]:
    """The sentences of ``text`` (see ``sentence_spans``)."""
    return [text[lo:hi] for lo, hi in sentence_spans(text, newline_breaks)]


def is_question(sentence: str) -> bool:
    """Whether the sentence asks rather than states (it ends on "?", inside quotes or not): a headline such as
    "What does the deal mean for gamers?" answers nothing."""
    return sentence.rstrip(" \"'”’»").endswith("?")
