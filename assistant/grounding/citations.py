"""Parse [n] citation markers out of a model's answer, sentence by sentence.

Pure functions: the model's output is untrusted text, and every odd form seen in the wild ("end. [2]",
"[1][3]", "[1, 3]", "[1-3]", "[Passage 2]") has a table-driven test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text.markers import CITATION_RE
from ..text.sentences import split_sentences

_RANGE = re.compile(r"#?(\d{1,3})\s*(?:-|–|—|to)\s*#?(\d{1,3})", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,3}")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
# Markers opening a line, with an optional copied header "(Outlet, 2023-10-04)" or "(2023-10-04):".
_LEADING = re.compile(
    rf"^\s*(?:{CITATION_RE.pattern}\s*(?:\([^()\n]{{0,80}}\d{{4}}-\d{{2}}-\d{{2}}\)\s*:?\s*)?)+", re.IGNORECASE)
_MAX_RANGE = 20


@dataclass
class CitedSentence:
    """One answer sentence: its text without markers, the valid passage numbers it cites, and the rest."""

    text: str
    citations: list[int] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)


def marker_numbers(marker: str) -> list[int]:
    """Numbers in one marker: "[1, 3]" -> [1, 3]; "[2-4]" -> [2, 3, 4]; a huge or reversed range keeps its ends."""
    numbers: list[int] = []
    rest = marker
    for match in _RANGE.finditer(marker):
        lo, hi = int(match.group(1)), int(match.group(2))
        numbers.extend(range(lo, hi + 1) if 0 <= hi - lo <= _MAX_RANGE else (lo, hi))
        rest = rest.replace(match.group(0), " ", 1)
    numbers.extend(int(n) for n in _NUMBER.findall(rest))
    return numbers


def _numbers(text: str) -> list[int]:
    return [n for marker in CITATION_RE.findall(text) for n in marker_numbers(marker)]


def strip_markers(text: str) -> str:
    """Text without citation markers, with the spaces they leave tidied ("end [2]." -> "end.")."""
    text = CITATION_RE.sub(" ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return " ".join(text.split())


def parse_citations(answer: str, n_passages: int) -> list[CitedSentence]:
    """Split an answer into sentences with their citations; numbers outside 1..n_passages are invalid.

    Markers standing alone (a line holding only "[3]") belong to the sentence before them. Small models
    often open a line with a copied passage header ("[1] (Fortune, 2023-10-04) The SEC said ... It
    added ..."): the header is dropped and its markers cite every sentence of the line that cites nothing.
    """
    out: list[CitedSentence] = []
    for line in answer.splitlines():
        line = _LIST_MARKER.sub("", line, count=1)
        lead = _LEADING.match(line)
        inherited = _numbers(lead.group(0)) if lead else []
        body = line[lead.end():] if lead else line
        if lead and not body.strip():
            if "(" in lead.group(0):
                continue  # nothing but copied headers: no claim
            body = line  # a line holding only markers: they cite the sentence before
        for raw in split_sentences(body):
            numbers = _numbers(raw) or inherited
            text = strip_markers(raw)
            if not text.strip(" .,;:!?"):
                if not out:
                    continue
                target = out[-1]
            else:
                target = CitedSentence(text)
                out.append(target)
            for n in numbers:
                bucket = target.citations if 1 <= n <= n_passages else target.invalid
                if n not in bucket:
                    bucket.append(n)
    return out
