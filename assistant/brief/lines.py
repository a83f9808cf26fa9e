"""Candidate lines and the sentence checks that decide what may become one.

A candidate is a sentence of an article (verbatim from a passage) or a verified model line. The checks
here are text-only: datelines, quotation marks, speakers of quotes, whether a line is a full statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.passage import Passage
from ..text.mentions import QUOTE_RES, find_names, find_quotes
from ..text.people import name_key
from ..text.words import STOPWORDS, content_keys, fold

JUNK = re.compile(
    r"(?i)\b(?:click here|scroll down|sign up|subscribe|newsletter|read more|follow (?:us|him|her|me) on|"
    r"all rights reserved|cookies?|advertisement|getty images|share this|email us)\b|https?://|www\.|@\w")
FUTURE = re.compile(
    r"(?i)\b(?:will|would|expected to|expects?|plans? to|planned|set to|could|may|might|likely|unlikely|"
    r"unclear|uncertain|yet to|remains? to be seen|next (?:week|month|year)|later this|upcoming|pending|"
    r"awaits?|due to|intends? to|considering|exploring|whether)\b")
DISPUTE = re.compile(
    r"(?i)\b(?:den(?:y|ies|ied)|disput(?:e|es|ed)|reject(?:s|ed)?|contradict(?:s|ed)?|disagree(?:s|d)?|"
    r"refut(?:e|es|ed)|countered|challeng(?:e|es|ed)|critici[sz](?:e|es|ed)|"
    r"but (?:critics|others|opponents))\b")
SPEECH = (r"said|says|told(?: [a-z]+)?|added|explained|insisted|warned|wrote|stated|declared|argued|"
          r"announced|noted|claimed|admitted|confirmed|revealed")
FIRST_PERSON = re.compile(r"\b(?:I|I['’](?:m|ve|d|ll)|me|my|we|we['’](?:re|ve|d|ll)|our|us|let['’]s|you|your)\b")
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday".split())
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_PRONOUNS = frozenset("he she they".split())
_NAME_RE = r"[A-Z][\w’'\-.]*(?:\s+(?:(?:of|de|der|von|van|al|bin|la|le|du|da|di)\s+)*[A-Z][\w’'\-.]*){0,3}"
_ATTR_AFTER = re.compile(
    rf"^[\s,]*(?:(?:{SPEECH})\s+(?P<a>{_NAME_RE}|he|she|they)|(?P<b>{_NAME_RE}|he|she|they)\s+(?:{SPEECH}))\b")
_ATTR_BEFORE = re.compile(
    rf"(?P<n>{_NAME_RE}|[Hh]e|[Ss]he|[Tt]hey)\s+(?:{SPEECH})(?:\s+(?:that|on \w+|in a statement|reporters))?\s*[:,]?\s*$")
_META = re.compile(r"^(?:(?:the|this) (?:main )?(?:news|article|passages?|story|notes?)(?: in (?:these|the) (?:passages|notes))? "
                   r"(?:is|are|says?|reports?|shows?|states?)(?: that)?|according to (?:the|these) (?:passages?|notes?|article)),?\s+",
                   re.IGNORECASE)


@dataclass
class Line:
    """A candidate line before selection: a sentence of an article or a verified model note."""

    text: str
    article: int
    passages: list[Passage]
    position: int
    origin: str = "extractive"
    score: float = 0.0
    vec: np.ndarray | None = None
    verdict: Any = None
    raw: str = ""

    @property
    def words(self) -> int:
        return len(self.text.split())


def unquoted(text: str) -> str:
    """The text outside quotation marks (the reporter's voice)."""
    for pattern in QUOTE_RES:
        text = pattern.sub(" ", text)
    return text


def balanced(text: str) -> bool:
    """False for a fragment of a quotation cut by sentence splitting (unmatched quote marks). Single
    quotes double as apostrophes, so only a quote opened at the start and never closed, or closed at
    the end and never opened, counts."""
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return False
    text = text.strip()
    opened = re.match(r"['‘]\w", text) is not None
    closed = re.search(r"[\w.,!?]['’]$", text) is not None
    if opened and not closed and not re.search(r"\w[.,!?]?['’](?!\w)", text[1:]):
        return False
    return not (closed and not opened and not re.search(r"(?:^|\s)['‘]\w", text[:-1]))


def prose_ok(text: str, min_words: int, max_words: int) -> bool:
    """A sentence fit for the bottom line / key developments: a full statement, not boilerplate."""
    words = len(text.split())
    if not min_words <= words <= max_words or JUNK.search(text) or not balanced(text):
        return False
    if not (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"'“‘"):
        return False  # a fragment (reported speech stays: what officials said is news; see the quote penalty)
    if text[:1] in "\"'“‘" and len(re.findall(r"[^\W\d_]+", unquoted(text))) < 2:
        return False  # a quote with nobody saying it (the speaker is in another sentence)
    if not _TERMINAL.search(text):
        return False  # no full stop: a photo caption or a headline, not a sentence of the story
    return not text.rstrip("\"'”’ ").endswith(("?", ":"))


def _squash(text: str) -> str:
    return " ".join(fold(text).split())


def quote_problems(text: str, passages: Sequence[Passage]) -> list[str]:
    """Quotes must occur verbatim (up to quote-mark style and spacing) in a cited passage."""
    evidence = [_squash(p.text) for p in passages]
    problems = []
    for quote in find_quotes(text):
        wanted = _squash(quote.text).rstrip(" ,;:")
        if not any(wanted in e for e in evidence):
            problems.append(f"quote \"{quote.text}\" is not verbatim in the cited article")
    return problems


def speaker(text: str, start: int, end: int, last_speaker: str) -> str:
    """Who said the quote at text[start:end]: "..., said X" / "X said: ..." around it; a pronoun
    resolves to the last speaker or the last full name before it in the passage."""
    after = _ATTR_AFTER.match(text[end:end + 80])
    name = (after.group("a") or after.group("b")) if after else None
    if not name:
        before = _ATTR_BEFORE.search(text[max(0, start - 120):start])
        name = before.group("n") if before else None
    if not name:
        return ""
    if name.lower() in _PRONOUNS:
        if last_speaker:
            return last_speaker
        names = [n.text for n in find_names(text[max(0, start - 400):start]) if len(n.text.split()) >= 2]
        return names[-1] if names else ""
    name = name.strip(" .,")
    if name_key(name) in WEEKDAYS or name.lower() in STOPWORDS:
        return ""
    return name


def drop_meta(text: str) -> str:
    """"The main news in these passages is that X" -> "X": the claim without the talk about the text."""
    stripped = _META.sub("", text, count=1)
    return stripped[:1].upper() + stripped[1:] if stripped != text and stripped else text


def well_formed(text: str, cited: bool, min_words: int) -> bool:
    """A model line worth verifying: a full sentence of at least ``min_words`` words (a reply cut off at
    the token limit ends mid-sentence, without a full stop or a citation; a citation placed mid-sentence
    leaves a line ending on a function word: "…with India, with [1] a focus on…")."""
    words = text.split()
    if len(words) < min_words or words[0].lower().strip(",:") in ("about", "regarding", "re", "topic", "notes"):
        return False
    if re.search(r"[.!?][\"'”’)]*$", text.strip()):
        return True
    return cited and words[-1].lower().strip(",;:-–—") not in STOPWORDS


def best_overlap(text: str, passages: Sequence[Passage], least: float) -> list[int]:
    """For a model line that names no passage: the number of the prompt passage sharing most of its
    content words, if that is at least ``least`` of them (the verifier still checks the line against it)."""
    claimed = set(content_keys(text))
    if not claimed:
        return []
    shares = [len(claimed & set(content_keys(p.text))) / len(claimed) for p in passages]
    best = max(range(len(passages)), key=lambda i: shares[i], default=None)
    return [best + 1] if best is not None and shares[best] >= least else []
