"""Sentence compression by deletion of asides: a non-restrictive relative clause set off by commas ("Wright,
who had seven seasons at Arsenal, will hand over…" -> "Wright will hand over…") adds a fact about a noun but
is not what the sentence reports, so a briefing line can go without it and say its news in fewer words.

Only what the parse marks as a relative clause (``relcl``) whose span opens on a comma and closes on
punctuation is dropped, never words inside quotation marks (a quote stays verbatim), and never when the rest
would be shorter than ``min_words``. What remains is a subsequence of the sentence, so it claims nothing the
sentence does not.
"""

from __future__ import annotations

import re

from .nlp import parse_syntax

_OPEN_QUOTES = "“‘"
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")


def _in_quote(text: str, at: int) -> bool:
    """Whether character ``at`` is inside a quotation ("…" or an odd count of straight double quotes)."""
    before = text[:at]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _aside(doc, token) -> range | None:
    """Token indexes of the relative clause headed by ``token`` with its commas, or None when it is
    restrictive (no comma before it) or its end is not marked by punctuation."""
    if token.dep_ != "relcl" or token.head.i > token.i:
        return None
    span = list(token.subtree)
    first, last = span[0].i, span[-1].i
    if first == 0 or doc[first - 1].text != "," or last + 1 >= len(doc) or not doc[last + 1].is_punct:
        return None
    if any(t.text[:1] in _OPEN_QUOTES or '"' in t.text for t in span):
        return None
    # ", who …, will" loses both commas; ", who … ." keeps the stop
    return range(first - 1, last + 2 if doc[last + 1].text == "," else last + 1)


def without_asides(text: str, min_words: int) -> str:
    """``text`` without its non-restrictive relative clauses (outside quotes); ``text`` itself when it has
    none or what remains would have fewer than ``min_words`` words."""
    if "," not in text:
        return text
    doc = parse_syntax([text])[0]
    drop: set[int] = set()
    for token in doc:
        aside = _aside(doc, token)
        if aside is not None and not _in_quote(text, doc[aside.start].idx):
            drop.update(aside)
    if not drop:
        return text
    # "Julia, who …, explained": the word before the aside had no space before its comma
    kept = "".join(t.text + (t.whitespace_ or (" " if t.i + 1 in drop else "")) for t in doc if t.i not in drop)
    kept = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(kept.split()))
    return kept if len(kept.split()) >= min_words else text
