"""Who did what in a sentence, from spaCy's parse: the relation checks words and embeddings miss.

A claim built from a passage's own words can still give an action to the wrong person ("Seth is visiting
India" when the passage says Kubilius is), swap subject and object, or drop a "not". These helpers read
each verb's subject and object and the sentence's negation and modality, so the verifier can compare a
claim's roles with those of the evidence sentence that uses the same verb.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..text.nlp import coarse_pos, lemma
from ..text.words import word_keys

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "agent", "expl"})
OBJECTS = frozenset({"dobj", "pobj", "attr", "dative", "oprd"})
NEGATIONS = frozenset({"not", "n't", "never", "no", "none", "nobody", "nothing", "neither", "nor", "without",
                       "cannot"})
MODALS = frozenset({"may", "might", "could", "would", "should", "can", "will", "shall", "must", "plan", "plans",
                    "planned", "planning", "expect", "expected", "likely", "possibly", "reportedly", "allegedly",
                    "intend", "intends", "hope", "hopes", "propose", "proposed", "consider", "considering"})
# Words that link two events as cause, consequence, sequence or concession: a summary that joins two
# sentences with one asserts a link the passage may never make (a discourse error).
CONNECTIVES = frozenset({"because", "since", "so", "therefore", "thus", "hence", "consequently", "after", "before",
                         "following", "despite", "although", "though", "while", "whereas", "result", "response",
                         "due", "amid", "prompting", "forcing", "leading"})
_WORD = re.compile(r"n't|[a-z]+(?=n't)|[a-z]+")  # "didn't" -> "did", "n't"
_ANSWER_WORD = re.compile(r"^\W*(?:yes|no)\s*[:,;.!—–-]\s*", re.I)  # "No: …", "No, …": a reply, not a negation
_PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "who", "which", "that", "this", "these",
                       "those", "him", "her", "them", "one", "someone", "what"})


@dataclass(frozen=True)
class Role:
    """A verb (by lemma) with the words of its subject and object phrases (empty when absent or a pronoun)."""

    verb: str
    verb_text: str
    subject: frozenset[str]
    subject_text: str
    obj: frozenset[str]
    obj_text: str
    negated: bool
    clause: str  # the subject through the verb, as written ("Kubilius is visiting")
    named: bool = False  # the subject is a name ("Andrius Kubilius"), not a description ("the champions")
    passive: bool = False  # the subject is the one acted on ("Smith was arrested")


def _clause(verb: "Token", subject: "Token | None") -> str:
    """The words from the subject to the verb (either order), at most twelve."""
    if subject is None:
        return verb.text
    lo, hi = min(subject.left_edge.i, verb.i), max(subject.right_edge.i, verb.i)
    words = verb.doc[lo:hi + 1].text.split()
    return " ".join(words) if len(words) <= 12 else " ".join(words[:12]) + " …"


def _phrase(token: "Token") -> tuple[frozenset[str], str]:
    """A noun phrase's comparison keys and text; a bare pronoun names nobody, so it is empty."""
    span = token.doc[token.left_edge.i:token.right_edge.i + 1]
    if token.lower_ in _PRONOUNS and len(span) == 1:
        return frozenset(), ""
    return frozenset(word_keys(span.text)), span.text


def _verb_head(token: "Token") -> "Token":
    """The clause verb a subject or object belongs to ("to" objects of a preposition climb to its verb)."""
    head = token.head
    if token.dep_ == "pobj" and head.dep_ == "prep" and coarse_pos(head.head) in ("VERB", "AUX"):
        return head.head
    return head


def roles(doc: "Doc | Span") -> list[Role]:
    """Each verb with a named (non-pronoun) subject or object: the relations a claim can get wrong."""
    found: dict[int, dict[str, tuple[frozenset[str], str, "Token"]]] = {}
    for token in doc:
        dep = "subj" if token.dep_ in SUBJECTS else "obj" if token.dep_ in OBJECTS else None
        if dep is None:
            continue
        verb = _verb_head(token)
        if coarse_pos(verb) not in ("VERB", "AUX"):
            continue
        keys, text = _phrase(token)
        if keys:
            found.setdefault(verb.i, {}).setdefault(dep, (keys, text, token))
    out = []
    for i, parts in found.items():
        verb = doc.doc[i]
        subject, subject_text, subject_token = parts.get("subj", (frozenset(), "", None))
        obj, obj_text, _ = parts.get("obj", (frozenset(), "", None))
        negated = any(c.dep_ == "neg" or c.lower_ in NEGATIONS for c in verb.children)
        named = subject_token is not None and coarse_pos(subject_token) == "PROPN"
        passive = subject_token is not None and subject_token.dep_ == "nsubjpass"
        out.append(Role(lemma(verb).lower(), verb.text, subject, subject_text, obj, obj_text, negated,
                        _clause(verb, subject_token), named, passive))
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def negations(text: str) -> int:
    """Negation words in the text ("not", "n't", "never", "no" …); read from the words, not a parse, so the
    evidence windows need none. An opening "No:" or "No," answers something (a verdict, a reply) and negates
    nothing the sentence says."""
    return sum(w in NEGATIONS for w in _words(_ANSWER_WORD.sub("", text)))


def connectives(text: str) -> set[str]:
    """The linking words of a text (``CONNECTIVES``)."""
    return {w for w in _words(text) if w in CONNECTIVES}


def modals(text: str) -> int:
    """Hedging and future words ("may", "could", "plans", "expected" …): a plan is not a done deal."""
    return sum(w in MODALS for w in _words(text))


@dataclass(frozen=True)
class RoleCheck:
    """How the claim's verbs line up with the evidence's: counts for the model, a message for a person."""

    aligned: int  # claim verbs whose lemma some evidence sentence also has
    subject_clash: int  # ... where that sentence gives the verb a different named subject
    object_clash: int
    swapped: int  # subject and object exchanged
    negation_clash: int  # ... where one side negates the verb and the other does not
    named_clash: int = 0  # subject clashes where both sides name someone (the wrong person did it)
    message: str = ""
    named_message: str = ""  # the first named clash, as a person would say it


def _disjoint(claimed: frozenset[str], seen: frozenset[str]) -> bool:
    """Two named phrases that share no word: different people or things (either empty: unknown)."""
    if not claimed or not seen or claimed & seen:
        return False
    return not (_initials(claimed) & seen or _initials(seen) & claimed)  # "EU" is the "European Union"


def _initials(keys: frozenset[str]) -> set[str]:
    """The phrase's initials, for an acronym on the other side (word order is lost, so both orders)."""
    letters = sorted(k[0] for k in keys if k.isalpha() and k not in ("the", "of", "and"))
    return {"".join(letters), "".join(reversed(letters))} if len(letters) > 1 else set()


def compare_roles(claim: Sequence[Role], evidence: Sequence[Sequence[Role]],
                  known: Set[str] = frozenset()) -> RoleCheck:
    """Each claim verb against the evidence sentences using the same verb; a clash counts only when no
    sentence agrees (the passage may say both "Seth met" and "Kubilius met"). A named clash also needs the
    claim's subject to be someone the passage names (every word in ``known``): the act went to the wrong
    person of the story, not to a name the summariser garbled."""
    aligned = subject_clash = object_clash = swapped = negation_clash = named_clash = 0
    message = named_message = ""
    for role in claim:
        same = [r for sentence in evidence for r in sentence if r.verb == role.verb]
        if not same:
            continue
        aligned += 1
        voiced = [r for r in same if r.passive == role.passive]  # "Smith was arrested" has no agent to compare
        if voiced and not any(not _disjoint(role.subject, r.subject) for r in voiced):
            subject_clash += 1
            other = next(r for r in voiced if r.subject)
            said = f"names {role.subject_text}, but the passage says “{other.clause}”"
            message = message or said
            if role.named and role.subject <= known and all(r.named for r in voiced if r.subject):
                named_clash += 1
                named_message = named_message or said
        if not any(not _disjoint(role.obj, r.obj) for r in same):
            object_clash += 1
        if any(role.subject and role.obj and role.subject <= r.obj and role.obj <= r.subject for r in same):
            swapped += 1
            message = message or (f"has {role.subject_text} {role.verb_text} {role.obj_text}, but in the passage "
                                  f"it is the other way round")
        if all(r.negated != role.negated for r in same):
            negation_clash += 1
            said = next(r for r in same).clause
            message = message or f"says “{role.clause}”, but the passage says “{said}”"
    return RoleCheck(aligned, subject_clash, object_clash, swapped, negation_clash, named_clash, message,
                     named_message)
