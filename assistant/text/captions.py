"""Photo captions and credits glued onto a sentence: "Modi and von der Leyen in New Delhi (Reuters photo) The
EU is exploring…" is one sentence to a splitter that needs a full stop, two to spaCy's parser. A caption is
a stretch without a finite verb; the statement is what remains.
"""

from __future__ import annotations

from typing import Any

_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_QUOTE_MARKS = "\"“”‘’'"


def has_finite_verb(span: Any) -> bool:
    """Whether a spaCy span has a finite verb (a tensed verb or a modal): a statement, not a caption."""
    return any(t.tag_ in _FINITE_TAGS or "Fin" in t.morph.get("VerbForm") for t in span)


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
