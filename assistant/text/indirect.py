"""A direct question as the indirect one a sentence embeds: "When did von der Leyen arrive in India?" ->
"when von der Leyen arrived in India", "Why is the EU seeking ties?" -> "why the EU is seeking ties".

English inverts the subject and the first auxiliary in a direct question and adds "do" when there is none;
an embedded question does neither. Read from spaCy's parse: the auxiliary before the subject moves after the
subject's phrase, and "do" goes, its tense passed to the verb (lemminflect, loaded on first use).
"""

from __future__ import annotations

from functools import lru_cache

from .nlp import parse

_WH_PHRASE = frozenset({"DET", "ADJ", "ADV", "NOUN", "PROPN", "NUM"})
"""Parts of speech that continue a question phrase after its question word ("What trade deal", "How many")."""
_AUXILIARIES = frozenset({"be", "do", "have"})


@lru_cache(maxsize=1)
def _inflect():
    from lemminflect import getInflection

    return getInflection


def _inflected(lemma: str, tag: str) -> str | None:
    forms = _inflect()(lemma, tag)
    return forms[0] if forms else None


def _subject_end(doc, start: int) -> int | None:
    """The end of the noun phrase that starts at ``start``, with the phrases coordinated to it or joined by
    "of" ("the EU and India", "the average price of a new car")."""
    chunks = {c.start: c.end for c in doc.noun_chunks}
    end = chunks.get(start)
    while end is not None and end + 1 < len(doc) and (doc[end].dep_ == "cc" or doc[end].lower_ == "of") \
            and end + 1 in chunks:
        end = chunks[end + 1]
    return end


def indirect(question: str) -> str | None:
    """``question`` (one clause opening on its question phrase) in embedded word order, first letter lower
    case, no question mark: unchanged when it is not inverted ("Who won the vote?"), None when it is but its
    subject cannot be read off the parse (quote it then)."""
    doc = parse(question.strip())
    words = [t for t in doc if not t.is_punct or t.i < len(doc) - 1]
    if len(words) < 2 or len(list(doc.sents)) > 1:
        return None
    at = 1
    while at < len(words) and words[at].pos_ in _WH_PHRASE and words[at].lemma_.lower() not in _AUXILIARIES:
        at += 1
    aux = words[at] if at < len(words) else None
    text = [t.text_with_ws for t in words]
    end = _subject_end(doc, aux.i + 1) if aux is not None and (aux.tag_ == "MD" or aux.lemma_.lower() in
                                                                _AUXILIARIES) else None
    if end is None or end > len(words):
        # no subject after the auxiliary: the question phrase is the subject ("Which company is being sued?"),
        # already in embedded order; but "do" always inverts, so a subject it hides must be quoted
        if aux is not None and aux.lemma_.lower() == "do":
            return None
    else:
        if aux.lemma_.lower() == "do":
            verb = words[end] if end < len(words) and words[end].tag_.startswith("VB") else None
            form = _inflected(verb.lemma_, aux.tag_) if verb is not None else None  # did -> VBD, does -> VBZ
            if form is None:
                return None
            text[end] = form + verb.whitespace_
        else:
            after = words[end] if end < len(words) else None
            helps = after is not None and (after.tag_ == "VBG" or after.tag_ == "VBN" and aux.head.i == after.i)
            if aux.lemma_.lower() == "be" and not helps:
                # "be" is the verb, not a progressive's or a passive's helper: its subject runs on ("the name of
                # the storm to hit Asia", "the megarocket tasked with …")
                end = len(words)
            text[end - 1] = f"{words[end - 1].text} {aux.text}{words[end - 1].whitespace_}"
        text[aux.i] = ""
    out = "".join(text).strip()
    return out[:1].lower() + out[1:]
