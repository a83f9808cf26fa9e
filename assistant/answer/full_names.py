"""The fullest form of a short name the answering passages write ("Sam Altman" for "Altman"), read with the
stdlib name finder and checked against spaCy's parse."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..core.passage import Passage
from ..text.mentions import find_names
from ..text.nlp import parse
from ..text.screening import clean_sentences, instruction_like
from ..text.words import word_keys
from .extract import ADJUNCTS, Found


def full_name(found: Found, passages: Sequence[Passage]) -> tuple[str, Passage] | None:
    """The fullest form of a short name the passages write ('Sam Altman' for 'Altman') and a passage holding
    it; None when the candidate is already written in full."""
    key = set(found.key)
    forms: Counter[str] = Counter()
    holder: dict[str, Passage] = {}
    for passage in passages:
        # instruction-like sentences are never evidence, so never the source of a name either
        title = [f"{passage.article.title}."] if not instruction_like(passage.article.title) else []
        for sentence, mention in ((s, m) for s in [*title, *clean_sentences(passage.text)] for m in find_names(s)):
            # a fuller form ends with the short one: "Sam Altman" for "Altman", not "EU-India" for "EU"; a
            # sentence's capitalised first word is part of it only when it is a proper noun before a one-word
            # name ("Trust Taylor Swift to …", "Taking Tylenol is …" are no names)
            if len(mention.text.split()) <= 4 and key < set(word_keys(mention.text)) \
                    and mention.text.endswith(f" {found.text}") \
                    and not (mention.at_start and (len(found.key) >= 2 or not _proper_nouns(
                        sentence, mention.start, mention.end - len(found.text)))) \
                    and not _adjunct(sentence, mention.end):
                forms[mention.text] += 1
                holder.setdefault(mention.text, passage)
    if not forms:
        return None
    best = max(forms, key=lambda f: (forms[f], len(f)))
    return best, holder[best]


def _adjunct(sentence: str, end: int) -> bool:
    """Whether the name ending at ``end`` qualifies the noun after it, so names something else ("the White
    House YouTube page" is a page, not YouTube's full name)."""
    last = next((t for t in reversed(parse(sentence)) if t.idx < end), None)
    return last is not None and last.dep_ in ADJUNCTS and last.head.i > last.i


def _proper_nouns(sentence: str, start: int, end: int) -> bool:
    """Whether every word of ``sentence[start:end]`` is a proper noun in spaCy's reading of the sentence."""
    words = [t for t in parse(sentence) if start <= t.idx < end and t.is_alpha]
    return bool(words) and all(t.pos_ == "PROPN" for t in words)
