"""Clean answer sentences: a passage sentence as a person would quote it in an answer.

No dateline ("NEW DELHI:", "date 2025-02-28"), no leading "And"/"But" or "In a related development,", balanced quotes, and a pronoun
speaker ("…, she said") replaced by the named speaker when the passage before the sentence names exactly
one person (spaCy's PERSON entities, surnames folded into full names).
"""

from __future__ import annotations

import re

from ..core.passage import Passage
from ..text.datelines import strip_dateline
from ..text.nlp import entities, parse
from ..text.screening import clean_sentences
from ..text.standalone import SAYER_REACH, attributed
from ..text.words import SAYING, word_keys

_LEADING = re.compile(r"^(?:And|But|So|Yet|Or|Also|However),?\s+")
_CONNECTIVE = re.compile(r"^(?:Meanwhile|Separately|Elsewhere|Moreover|Furthermore|Additionally|In addition|"
                         r"In (?:a|another) (?:related|separate|similar|parallel) (?:development|move)|"
                         r"In other news),\s+")
"""Discourse connectives that tie a sentence to the one before it in its article, not to the answer."""
_PRONOUN_SAID = re.compile(r"(,[\"”’]?\s+)(she|he|they)\s+(said|says|added|told|noted|stated|explained)\b")
_QUOTES = ('"', "“", "”")
CLAIM_WORDS = 4
"""Fewest words left after a dateline for it to be cut (a shorter rest is a headline, kept whole)."""
SPEAKER_REACH = 2
"""Sentences before a "…, she said" read for the person speaking there when the passage names several."""


def _balanced(text: str) -> str:
    """Quotes made even: an opening quote without its end (the quote runs on in the next sentence) or a
    closing one without its start is dropped."""
    straight = text.count('"')
    curly_open, curly_close = text.count("“"), text.count("”")
    if straight % 2:
        i = text.find('"') if text.lstrip().startswith('"') else text.rfind('"')
        text = text[:i] + text[i + 1:]
    if curly_open != curly_close:
        extra = "“" if curly_open > curly_close else "”"
        i = text.find(extra) if extra == "“" else text.rfind(extra)
        text = text[:i] + text[i + 1:]
    return " ".join(text.split())


def clean(sentence: str) -> str:
    """The sentence without a dateline or a leading conjunction, its quotes balanced, first letter capital."""
    text = strip_dateline(" ".join(sentence.split()), CLAIM_WORDS)
    text = _CONNECTIVE.sub("", _LEADING.sub("", _balanced(text)))
    if text.startswith(tuple(_QUOTES)) and len(text) > 1:
        return text[0] + text[1:2].upper() + text[2:]
    return text[:1].upper() + text[1:]


def _people(doc, speakers_only: bool) -> list[str]:
    """The distinct people of a parse (a surname folds into the full name); with ``speakers_only`` only
    those who are the subject of a verb of saying."""
    people: dict[tuple[str, ...], str] = {}
    for ent in entities(doc):
        # spaCy's small model often calls a person's surname an ORG ("Von der Leyen"): as the subject of a
        # verb of saying, a name is a speaker either way
        if ent.label != "PERSON" and not (speakers_only and ent.label == "ORG"):
            continue
        if speakers_only:
            span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
            if span is None or span.root.dep_ != "nsubj" or span.root.head.lemma_ not in SAYING:
                continue
        key = tuple(word_keys(ent.text))
        if any(set(key) <= set(k) for k in people):
            continue
        for k in [k for k in people if set(k) <= set(key)]:
            del people[k]
        people[key] = ent.text
    return list(people.values())


def speaker(passage: Passage, sentence: str) -> str | None:
    """Who '…, she said' is: the one person the passage names before ``sentence``; when it names several, the
    one person speaking in the ``SPEAKER_REACH`` sentences before it; when it names none before it (the chunk
    starts mid-story), the one person the passage has saying anything."""
    at = passage.text.find(sentence[:40])
    before = passage.text[:at] if at > 0 else ""
    people = _people(parse(before[-1500:]), False) if before.strip() else []
    if len(people) > 1:  # several named before it: the one speaking just before ("…, Von der Leyen said.") goes on
        people = _people(parse(" ".join(clean_sentences(before)[-SPEAKER_REACH:])), True) or people
    if not people:
        people = _people(parse(passage.text), True)
    return people[0] if len(people) == 1 else None


def name_speaker(passage: Passage, sentence: str) -> str:
    """``sentence`` with '…, she said' naming the speaker, when the passage attributes it unambiguously."""
    m = _PRONOUN_SAID.search(sentence)
    if not m:
        return sentence
    who = speaker(passage, sentence)
    if who is None:
        return sentence
    return sentence[:m.start(2)] + who + sentence[m.end(2):]


def name_organisation(passage: Passage, sentence: str) -> str:
    """``sentence`` with a trailing "…, it said" naming the organisation last saying something in the passage's
    sentences before it (``standalone.attributed``)."""
    if ", it " not in sentence:
        return sentence
    sentences, at = sentence_at(passage, sentence)
    if not at:
        return sentence
    return attributed(sentence, parse(sentence), [parse(s) for s in sentences[max(0, at - SAYER_REACH):at]])[0]


_OPENING_SUBJECT = re.compile(r"^(It|He|She)\s")
_STATE_OF_AFFAIRS = frozenset({"ccomp", "xcomp", "csubj", "acomp"})
SUBJECT_WORDS = 8
"""Most words of a preceding sentence's subject that may stand in for an opening pronoun."""


def sentence_at(passage: Passage, sentence: str) -> tuple[list[str], int | None]:
    """The passage's sentences and the position of ``sentence`` (as the passage has it, or tidied) among them."""
    sentences = clean_sentences(passage.text)
    head = clean(sentence)[:40]
    return sentences, next((i for i, s in enumerate(sentences) if s == sentence or head in clean(s)), None)


def resolve_subject(passage: Passage, sentence: str) -> str:
    """``sentence`` with an opening "It"/"He"/"She" that is its main verb's subject replaced by the subject
    of the sentence before it in the passage ("The vaquita is … . It is the most endangered …" -> "The
    vaquita is the most endangered …"); unchanged when that subject is no short noun phrase, the pronoun
    is an "it" of a clause or a state ("It is unclear whether …"), "he"/"she" meets no person, or the
    sentence is not found."""
    text = clean(sentence)
    m = _OPENING_SUBJECT.match(text)
    if not m:
        return sentence
    sentences, at = sentence_at(passage, sentence)
    if not at:  # not found, or the passage's first sentence: nothing before it to take the subject from
        return sentence
    doc, previous = parse(text), parse(sentences[at - 1])
    pronoun, person = doc[0], m.group(1) != "It"
    if pronoun.dep_ not in ("nsubj", "nsubjpass") or pronoun.head.dep_ != "ROOT":
        return sentence
    # "It is unclear whether …", "It was too late": an "it" of a clause or of a state is nobody's
    if not person and any(c.dep_ in _STATE_OF_AFFAIRS for c in pronoun.head.children):
        return sentence
    for tok in previous:
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT" and tok.pos_ in ("NOUN", "PROPN"):
            span = previous[tok.left_edge.i:tok.i + 1]
            is_person = any(e.label == "PERSON" for e in entities(span.as_doc()))
            if len(span) > SUBJECT_WORDS or is_person != person or any(t.is_punct for t in span):
                return sentence
            subject = span.text
            return subject[:1].upper() + subject[1:] + text[len(pronoun.text):]
    return sentence
