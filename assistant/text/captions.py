"""Photo captions and credits glued onto a sentence: "Modi and von der Leyen in New Delhi (Reuters photo) The
EU is exploring…" is one sentence to a splitter that needs a full stop, two to spaCy's parser. A caption is
a stretch without a finite verb; the statement is what remains.

A caption with a verb runs into the next sentence without any stop ("…higher than a colleague The cost of
divorce can wreck…"): a capitalised determiner or pronoun right after a lower-case word, outside a name,
starts a new sentence when both sides are statements (``glued_parts``).
"""

from __future__ import annotations

from typing import Any

_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_QUOTE_MARKS = "\"“”‘’'"


def has_finite_verb(span: Any) -> bool:
    """Whether a spaCy span has a finite verb (a tensed verb or a modal): a statement, not a caption."""
    return any(t.tag_ in _FINITE_TAGS or "Fin" in t.morph.get("VerbForm") for t in span)


def glued_parts(doc: Any) -> list[str]:
    """The statements ``doc`` runs together without a full stop, verbatim: split before a capitalised
    determiner or pronoun ("The", "They") that follows a lower-case word or a number, is not part of a name
    ("The Hague", "The Times") and is outside quotation marks, when each side has a finite verb. One part
    (``doc``'s text) when there is no such seam."""
    from .mentions import find_quotes

    text = doc.text
    quoted = [(q.start, q.end) for q in find_quotes(text)]
    cuts = [0]
    for tok in doc[1:]:
        before = doc[tok.i - 1]
        if not (tok.is_title and tok.pos_ in ("DET", "PRON") and tok.ent_iob_ == "O") or tok.text == "I":
            continue
        if any(a <= tok.idx < b for a, b in quoted):
            continue
        if not (before.is_lower and before.is_alpha or before.like_num or before.text == "%"):
            continue
        after = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if after is not None and (after.pos_ == "PROPN" or after.is_title):
            continue  # a title or a name ("The Times", "It Follows")
        if has_finite_verb(doc[cuts[-1]:tok.i]) and has_finite_verb(doc[tok.i:]):
            cuts.append(tok.i)
    bounds = [doc[i].idx for i in cuts] + [len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def without_captions(text: str, doc: Any) -> str | None:
    """``text`` without the verbless spaCy sentences at its start and end (a caption, a photo credit);
    the part kept is verbatim from ``text``. None when no part of it has a finite verb; ``text`` itself
    when there is nothing to cut, or when a cut stretch holds a quotation mark (a quote split by the
    parser is not a caption)."""
    sentences = list(doc.sents)
    finite = [i for i, s in enumerate(sentences) if has_finite_verb(s)]
    if not finite:
        return None
    first, last = finite[0], finite[-1]
    cut = sentences[:first] + sentences[last + 1:]
    if not cut or any(c in s.text for s in cut for c in _QUOTE_MARKS):
        return text
    return text[sentences[first].start_char:sentences[last].end_char].strip()
