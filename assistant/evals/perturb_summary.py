"""Summary-style claims from two adjacent article sentences, the way abstractive summarisers write them, and
the errors human judges find in their output (FRANK's relation, coreference and discourse errors).

Supported: a reporting frame dropped ("X said the talks failed" -> "The talks failed"), two sentences about
the same subject merged ("Seth met Kubilius. He said …" -> "Seth met Kubilius and said …"), a pronoun
subject replaced by the one person the sentence before names. Not supported: a merge that gives the second
sentence's predicate to the first sentence's different named subject (a relation error), a pronoun
resolved to another person of the article (a coreference error), two sentences joined by a causal or
temporal link the article never states (a discourse error).

Each function takes the sentences (and what else it needs) and returns the new sentence or None.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from ..text import nlp
from ..text.words import word_keys
from .perturb_roles import SPEECH

_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "it"})
# how a summariser joins two events it should not
LINKS = ("because", "after", "so", "as a result,", "in response,", "despite the fact that")


def _root(doc):
    return next((t for t in doc if t.dep_ == "ROOT"), None)


def _subject(root):
    return next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _body(sentence: str) -> str:
    """The sentence without its final stop, ready to be continued."""
    return sentence.rstrip().rstrip(".!?")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _predicate(doc, root, subject) -> str | None:
    """The sentence from its main verb on (its subject and anything before the subject cut), or None when
    the subject does not open the clause."""
    if subject is None or subject.i > root.i or subject.left_edge.i != 0:
        return None
    start = subject.right_edge.i + 1
    return doc[start:].text.rstrip().rstrip(".!?") if start < len(doc) else None


def _named(subject) -> frozenset[str]:
    span = subject.doc[subject.left_edge.i:subject.right_edge.i + 1]
    if not any(t.pos_ == "PROPN" for t in span):
        return frozenset()
    return frozenset(word_keys(span.text)) - {"the", "s"}


def merge(first: str, second: str) -> tuple[str, str] | None:
    """Two adjacent sentences as one: ("merge", text) when the second's subject is a pronoun or the first's
    subject again (supported); ("merge_wrong", text) when it is a different named subject whose predicate now
    belongs to the first's (a relation error)."""
    one, two = nlp.parse(first), nlp.parse(second)
    root1, root2 = _root(one), _root(two)
    if root1 is None or root2 is None or root2.pos_ not in ("VERB", "AUX"):
        return None
    subject1, subject2 = _subject(root1), _subject(root2)
    predicate = _predicate(two, root2, subject2)
    if subject1 is None or predicate is None or len(predicate.split()) < 3:
        return None
    name1, name2 = _named(subject1), _named(subject2)
    text = f"{_body(first)} and {predicate}."
    if subject2.lower_ in _SUBJECT_PRONOUNS and subject2.left_edge.i == subject2.right_edge.i:
        return "merge", text
    if name1 and name2 and name2 & name1:
        return "merge", text
    if name1 and name2:
        subject_text = one[subject1.left_edge.i:subject1.right_edge.i + 1].text
        return "merge_wrong", f"{subject_text} {predicate}."
    return None


def drop_attribution(sentence: str) -> str | None:
    """"X said (that) CLAUSE" -> "CLAUSE": the summariser's usual cut, still true."""
    doc = nlp.parse(sentence)
    root = _root(doc)
    if root is None or root.lemma_ not in SPEECH:
        return None
    clause = next((c for c in root.children if c.dep_ == "ccomp"), None)
    if clause is None or _subject(clause) is None:
        return None
    span = doc[clause.left_edge.i:clause.right_edge.i + 1]
    words = [t for t in span if not (t.i == span.start and t.lower_ == "that")]
    text = doc[words[0].i:span.end].text.strip(" ,\"'“”") if words else ""
    if len(text.split()) < 6:
        return None
    return text[:1].upper() + text[1:] + "."


def resolve_pronoun(previous: str, sentence: str, people: Sequence[str], rng: random.Random) -> list[tuple[str, str]]:
    """A "He"/"She" subject replaced by the one person the previous sentence names ("resolve", supported)
    and by another person of the article ("coref", a coreference error)."""
    doc = nlp.parse(sentence)
    root = _root(doc)
    subject = _subject(root) if root is not None else None
    if subject is None or subject.lower_ not in ("he", "she") or subject.i != 0:
        return []
    before = [e.text for e in nlp.entities(nlp.parse(previous)) if e.label == "PERSON"]
    if len({*before}) != 1:
        return []
    right = before[0]
    rest = sentence[subject.idx + len(subject.text):]
    out = [("resolve", right + rest)]
    others = [p for p in people if not set(word_keys(p)) & set(word_keys(right))]
    if others:
        out.append(("coref", rng.choice(others) + rest))
    return out


def link(first: str, second: str, rng: random.Random) -> str | None:
    """Two adjacent sentences joined by a cause or sequence the article does not state."""
    if re.search(r"\b(because|after|so|result|response|despite)\b", first + " " + second, flags=re.I):
        return None
    if not second[:1].isupper() or re.match(r"(?:and|but|or|yet|while|however)\b", second, flags=re.I):
        return None
    if len(first.split()) + len(second.split()) > 50:
        return None
    return f"{_body(first)} {rng.choice(LINKS)} {_lower_first(second.strip())}"
