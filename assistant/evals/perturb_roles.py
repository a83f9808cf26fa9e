"""Relation perturbations of a news sentence, from spaCy's parse (FactCC-style): a negation added or
removed, subject and object swapped, the speaker swapped for another person of the article, a pronoun's
gender flipped, one sentence's subject spliced onto another's predicate, a phrase from another article
appended -- and compressions that drop a clause, which keep the claim true.

Each function takes the sentence (and what else it needs) and returns the new sentence or None.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from ..text import nlp

SPEECH = frozenset({"say", "tell", "add", "claim", "announce", "state", "insist", "warn", "write", "argue", "explain"})
DROPPABLE = frozenset({"appos", "relcl", "advcl", "prep", "npadvmod", "parataxis", "acl"})
_PRONOUNS = {"he": "she", "she": "he", "him": "her", "his": "her", "her": "his", "himself": "herself",
             "herself": "himself"}
_DO = {"VBD": "did", "VBZ": "does", "VBP": "do"}


def _span_text(token) -> tuple[int, int, str]:
    doc = token.doc
    span = doc[token.left_edge.i:token.right_edge.i + 1]
    return span.start_char, span.end_char, span.text


def _root(doc):
    return next((t for t in doc if t.dep_ == "ROOT"), None)


def _sentence_case(text: str) -> str:
    text = re.sub(r"\s+([,.;:?!])", r"\1", re.sub(r"\s{2,}", " ", text)).strip().lstrip(",;: ")
    return text[:1].upper() + text[1:] if text else text


def negate(sentence: str) -> str | None:
    """Remove the main verb's negation, or add one ("did not", "is not", "will not")."""
    doc = nlp.parse(sentence)
    root = _root(doc)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    neg = next((c for c in root.children if c.dep_ == "neg"), None)
    if neg is not None:
        return _sentence_case(sentence[:neg.idx] + sentence[neg.idx + len(neg.text):])
    aux = next((c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i), None)
    if aux is not None:
        end = aux.idx + len(aux.text)
        return sentence[:end] + " not" + sentence[end:]
    if root.lemma_ == "be":
        end = root.idx + len(root.text)
        return sentence[:end] + " not" + sentence[end:]
    if root.tag_ in _DO:
        return sentence[:root.idx] + f"{_DO[root.tag_]} not {root.lemma_}" + sentence[root.idx + len(root.text):]
    return None


def swap_roles(sentence: str) -> str | None:
    """Exchange the subject and the object of the main verb ("A beat B" -> "B beat A")."""
    doc = nlp.parse(sentence)
    root = _root(doc)
    if root is None:
        return None
    subj = next((c for c in root.children if c.dep_ == "nsubj" and c.pos_ in ("PROPN", "NOUN")), None)
    obj = next((c for c in root.children if c.dep_ == "dobj" and c.pos_ in ("PROPN", "NOUN")), None)
    if subj is None or obj is None:
        return None
    (s0, s1, s_text), (o0, o1, o_text) = _span_text(subj), _span_text(obj)
    if s1 > o0 or s_text.lower() == o_text.lower():
        return None
    swapped = sentence[:s0] + o_text + sentence[s1:o0] + s_text + sentence[o1:]
    return _sentence_case(swapped)


def swap_speaker(sentence: str, people: Sequence[str], rng: random.Random) -> str | None:
    """Give a quote or statement to another person of the same article."""
    doc = nlp.parse(sentence)
    for verb in doc:
        if verb.lemma_ not in SPEECH:
            continue
        subj = next((c for c in verb.children if c.dep_ == "nsubj" and c.pos_ == "PROPN"), None)
        if subj is None:
            continue
        start, end, text = _span_text(subj)
        options = [p for p in people if p not in text and text not in p]
        if options:
            return sentence[:start] + rng.choice(options) + sentence[end:]
    return None


def swap_pronoun(sentence: str, rng: random.Random) -> str | None:
    """Flip one gendered pronoun (he/she, his/her …): now about someone else."""
    found = [m for m in re.finditer(r"\b(?:he|she|him|his|her|himself|herself)\b", sentence, flags=re.I)]
    if not found:
        return None
    m = rng.choice(found)
    new = _PRONOUNS[m.group(0).lower()]
    new = new.capitalize() if m.group(0)[0].isupper() else new
    return sentence[:m.start()] + new + sentence[m.end():]


def splice(sentence: str, other: str) -> str | None:
    """This sentence's subject with another sentence's predicate: a claim mixing two subjects."""
    mine, theirs = _root(nlp.parse(sentence)), _root(nlp.parse(other))
    if mine is None or theirs is None:
        return None
    subj = next((c for c in mine.children if c.dep_ == "nsubj" and c.pos_ in ("PROPN", "NOUN")), None)
    their_subj = next((c for c in theirs.children if c.dep_ == "nsubj" and c.pos_ in ("PROPN", "NOUN")), None)
    if subj is None or their_subj is None:
        return None
    _, _, subject = _span_text(subj)
    _, end, their_subject = _span_text(their_subj)
    if subject.lower() == their_subject.lower() or end > theirs.idx:
        return None
    return _sentence_case(subject + other[end:])


def add_phrase(sentence: str, other: str) -> str | None:
    """Append a circumstance (a prepositional or adverbial phrase) taken from another article."""
    root = _root(nlp.parse(other))
    if root is None:
        return None
    phrases = [c for c in root.children if c.dep_ in ("prep", "advcl") and c.i > root.i]
    phrase = next((_span_text(c)[2] for c in phrases if 3 <= len(list(c.subtree)) <= 12), None)
    body = sentence.rstrip()
    if phrase is None or not body.endswith("."):
        return None
    return f"{body[:-1]} {phrase}."


def compress(sentence: str, rng: random.Random) -> str | None:
    """Drop one droppable clause or phrase (appositive, relative clause, adverbial, prepositional) whose
    removal leaves at least six words: the summariser's compression, still true."""
    doc = nlp.parse(sentence)
    options = [t for t in doc if t.dep_ in DROPPABLE]
    rng.shuffle(options)
    for token in options:
        start, end, text = _span_text(token)
        if any(t.dep_ == "neg" for t in token.subtree):
            continue
        rest = sentence[:start] + sentence[end:]
        if len(rest.split()) >= 6 and len(text.split()) >= 2:
            return _sentence_case(rest.replace(" ,", ",").replace(",,", ",").replace(", .", "."))
    return None
