"""People in an answer as a reader needs them: named in full with the role the passages give them on first
mention ("Von der Leyen said" -> "Ursula von der Leyen, the European Commission president, said"), described
for "Who is X?" ("Andrius Kubilius is the EU Commissioner for Defence and Space"), and found as the source
of a statement ("who said it?": the sentence's speaker, or the person acting in the sentence after it, where
news puts the attribution of a lead).

Who is who comes from ``text.people`` (spaCy NER merged across mentions, roles from titles and
appositives), over the passages an answer reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.passage import Passage
from ..text.initials import in_full
from ..text.nlp import parse, parse_many
from ..text.people import Actor, cast, mentions, name_key
from ..text.screening import clean_sentences
from ..text.standalone import opening_pronoun, resolved
from ..text.words import SAYING, word_keys
from .tidy import sentence_at

ATTRIBUTION_REACH = 2
"""Sentences after a statement in which its attribution ("The announcement was made by …") is looked for."""


@dataclass(frozen=True)
class Known:
    """A person the passages name: the merged actor and the passage that gives the role (or the full name)."""

    actor: Actor
    holder: Passage


def known_people(passages: Sequence[Passage]) -> dict[str, Known]:
    """People of ``passages`` by name key, each with the passage that writes its role (else its full name)."""
    # instruction-like sentences are never evidence, so never the source of a name or a role either; parsed
    # sentence by sentence, the parses the evidence and its candidates read (cached once for all three)
    sentences = {x.chunk_id: clean_sentences(x.text) for x in passages}
    actors = cast([s for texts in sentences.values() for s in texts])
    people = {k: a for k, a in actors.items() if a.person}
    out: dict[str, Known] = {}
    for passage in passages:
        for m in (m for doc in parse_many(sentences[passage.chunk_id]) for m in mentions(doc, frozenset(people))):
            actor = people.get(m.key)
            if actor is None:
                continue
            gives = (m.role and m.role == actor.role) or (not actor.role and m.name == actor.name)
            if gives and m.key not in out:
                out[m.key] = Known(actor, passage)
    return out


def titled(actor: Actor) -> str:
    """"Ursula von der Leyen, the European Commission president" (the name alone without a role)."""
    if not actor.role:
        return actor.name
    article = "" if re.search(r"['’]s\b", actor.role) else "the "
    return f"{actor.name}, {article}{actor.role}"


def introduce(text: str, people: dict[str, Known], said: set[str]) -> tuple[str, list[Passage]]:
    """``text`` with its first person not yet in ``said`` named in full, with the role when the person is the
    subject of a verb ("…, Von der Leyen said" -> "…, Ursula von der Leyen, the … president, said"); the
    passages that back the added words. ``said`` collects the people named so far in the answer."""
    doc = parse(text)
    for m in mentions(doc, frozenset(people)):
        known = people.get(m.key)
        if known is None or m.key in said:
            continue
        said.add(m.key)
        actor = known.actor
        full = titled(actor) if m.acting and actor.role and actor.role not in text else actor.name
        if full == m.name or m.name not in text:
            return text, []
        at = text.index(m.name)
        tail = text[at + len(m.name):]
        if full != actor.name and not tail.startswith((",", " ")) or tail.startswith(("'s", "’s")):
            full = actor.name  # a possessive or a name inside a compound takes no apposition
        if full != actor.name and not tail.startswith(","):
            full += ","
        return text[:at] + in_full(text[:at], m.name, full) + tail, [known.holder]
    return text, []


def describe(subject: str, people: dict[str, Known]) -> tuple[str, Passage] | None:
    """"Andrius Kubilius is the EU Commissioner for Defence and Space" for a subject with a role, and the
    passage that says so."""
    known = people.get(name_key(subject))
    if known is None or not known.actor.role:
        return None
    name, role = titled(known.actor).split(", ", 1)
    return f"{name} is {role}", known.holder


def attribution(passage: Passage, sentence: str, people: dict[str, Known]) -> str | None:
    """The sentence that says who made the statement ``sentence`` is: itself when a known person acts in it
    (the speaker of a quote, the subject of the verb), else the first of the next ``ATTRIBUTION_REACH``
    sentences of its passage in which a known person acts."""
    sentences, at = sentence_at(passage, sentence)
    window = [sentence] + (sentences[at + 1: at + 1 + ATTRIBUTION_REACH] if at is not None else [])
    for candidate in window:
        if any(m.acting and m.key in people for m in mentions(parse(candidate), frozenset(people))):
            return candidate
    return None


_SPEAKER_DEPS = frozenset({"nsubj", "agent"})


def speaks(sentence: str, speaker: str) -> bool:
    """Whether ``sentence`` gives a statement of ``speaker``: the speaker's head word is in the subject (or
    the passive's "by" agent) of a verb of saying, or in what "according to" names ("The defence ministry
    said …", "…, Kubilius told reporters", "according to the ministry")."""
    keys = word_keys(speaker)
    if not keys:
        return False
    head = keys[-1]
    doc = parse(sentence)
    for token in doc:
        if token.lemma_.lower() in SAYING:
            args = [c for c in token.children if c.dep_ in _SPEAKER_DEPS]
        elif token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            args = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
        else:
            continue
        if any(head in word_keys("".join(t.text_with_ws for t in arg.subtree)) for arg in args):
            return True
    return False


def with_referent(passage: Passage, sentence: str, people: dict[str, Known]) -> str:
    """``sentence`` with an opening pronoun replaced by its referent in the sentence before it in the passage
    ("They comprehensively discussed …" -> "Sanjay Seth and Andrius Kubilius comprehensively discussed …",
    ``text.standalone``); unchanged when it opens on none, or the referent is not clear."""
    doc = parse(sentence)
    if opening_pronoun(doc) is None:
        return sentence
    sentences, at = sentence_at(passage, sentence)
    if not at:
        return sentence
    found = resolved(sentence, doc, parse(sentences[at - 1]), {k: v.actor for k, v in people.items()})
    return found[0] if found is not None else sentence
