"""The support model's features for (claim, cited passages): what the model weighs and the reasons cite.

Meaning (similarity to the best window, in ``static`` vectors), wording (n-gram precision against it, content words the
evidence lacks), facts (the hard checks' counts; spaCy entities by type that the evidence lacks; entity
pairs the evidence never puts in one window), relations (a verb's subject or object differing from the
evidence sentence with the same verb, subject and object swapped, a negation flipped), hedging, and a
claim spliced from two sentences that no single window supports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from ..index.vectors import UnitVectors
from ..text import nlp
from ..text.words import content_keys, word_keys
from .evidence import EvidenceSet, Window, ngrams
from .facts import missing
from .roles import RoleCheck, compare_roles, connectives, modals, negations, roles

FEATURES = [
    "similarity", "similarity_sentence",
    "unigram_precision", "bigram_precision", "trigram_precision", "bigram_precision_all",
    "content_missing", "content_missing_window",
    "missing_numbers", "missing_dates", "missing_names", "missing_quotes",
    "missing_person", "missing_org", "missing_place", "missing_other",
    "entity_pairs_apart",
    "roles_aligned", "subject_clash", "object_clash", "swapped", "negation_clash", "named_clash",
    "negation_diff", "modal_diff", "connective_new",
    "splice_gain", "claim_words",
]
_ENTITY_GROUP = {"PERSON": "missing_person", "ORG": "missing_org", "GPE": "missing_place", "LOC": "missing_place",
                 "FAC": "missing_place", "NORP": "missing_place"}
_ACTORS = frozenset({"PERSON", "ORG"})
_RELATED = 0.5  # share of the claim's content words an evidence sentence must have for its roles to count
_HARD = {"number": "missing_numbers", "year": "missing_numbers", "date": "missing_dates", "name": "missing_names",
         "quote": "missing_quotes"}


@dataclass
class Analysis:
    """One claim's feature row and what a reason needs: the hard-check failures, the best window, and
    the entities, relations and hedges that differ from the evidence."""

    row: np.ndarray
    hard: list[str]
    best: str
    missing_entities: list[tuple[str, str]] = field(default_factory=list)
    roles: RoleCheck | None = None
    negation_diff: int = 0
    modal_diff: int = 0
    relation: list[str] = field(default_factory=list)  # a named subject clash, said as a reason

    def value(self, name: str) -> float:
        return float(self.row[FEATURES.index(name)])


@dataclass(frozen=True)
class FeatureParams:
    """How much evidence each claim reads: windows compared (static vectors: cheap, so nearly all),
    sentences whose roles are read, sentences tried in pairs."""

    max_windows: int = 64
    parse_sentences: int = 4
    splice_sentences: int = 6


def _precision(claim: set, seen: set) -> float:
    return len(claim & seen) / len(claim) if claim else 1.0


def _missing_entities(claim_doc, evidence: EvidenceSet) -> list[tuple[str, str]]:
    """(text, label) of each named claim entity some word of which the evidence never uses (numbers, dates
    and amounts are the hard checks' job: they compare values, not words)."""
    out = []
    for entity in nlp.entities(claim_doc):
        if entity.label not in nlp.NAME_LABELS:
            continue
        keys = [k for k in word_keys(entity.text) if k not in ("the", "s")]
        if keys and not all(k in evidence.keys for k in keys):
            out.append((entity.text, entity.label))
    return out


def _known_actors(claim_doc, evidence: EvidenceSet) -> set[str]:
    """Words of the claim's people and organisations (spaCy's NER) that the evidence also uses: whom a named
    subject clash can be about (a garbled or lower-cased name is no evidence of the wrong person)."""
    return {k for e in nlp.entities(claim_doc) if e.label in _ACTORS for k in word_keys(e.text) if k in evidence.keys}


def _pairs_apart(claim_doc, evidence: EvidenceSet) -> float:
    """Share of the claim's entity pairs (both in the evidence) that no single window mentions together."""
    names = {frozenset(word_keys(e.text)) - {"the", "s"} for e in nlp.entities(claim_doc) if e.label in nlp.NAME_LABELS}
    present = [n for n in names if n and n <= evidence.keys]
    pairs = list(combinations(present, 2))
    if not pairs:
        return 0.0
    window_keys = [set(w.keys) for w in evidence.windows]
    apart = sum(not any(a <= keys and b <= keys for keys in window_keys) for a, b in pairs)
    return apart / len(pairs)


def _splice_gain(claimed: set[str], evidence: EvidenceSet, best_cover: float, count: int) -> float:
    """How much more of the claim two separate sentences cover than its best window: a spliced claim."""
    if not claimed:
        return 0.0
    top = evidence.closest(claimed, count, singles=True)
    pair = max((len(claimed & (a.content | b.content)) for a, b in combinations(top, 2)), default=0)
    return max(0.0, pair / len(claimed) - best_cover)


def best_windows(vectors: UnitVectors, claims: Sequence[str],
                 windows: Sequence[Sequence[Window]]) -> list[tuple[Window, float, float]]:
    """Per claim: its most similar window, that similarity, and the best single sentence's (one batch)."""
    texts = [*claims, *(w.text for ws in windows for w in ws)]
    vector_of = dict(zip(texts, vectors.vectors(texts)))
    out = []
    for claim, ws in zip(claims, windows):
        sims = [float(vector_of[claim] @ vector_of[w.text]) for w in ws]
        i = int(np.argmax(sims))
        single = max((s for s, w in zip(sims, ws) if len(w.sentences) == 1), default=sims[i])
        out.append((ws[i], sims[i], single))
    return out


class FeatureMaker:
    """Feature rows for a batch of claims, embedding and parsing only what the claims need, once.
    ``vectors`` are the static wordpiece vectors (``static.StaticEmbedder``) the shipped model was trained on."""

    def __init__(self, vectors: UnitVectors, params: FeatureParams | None = None) -> None:
        self.vectors = vectors
        self.params = params or FeatureParams()

    def analyse(self, claims: Sequence[str], evidence: Sequence[EvidenceSet]) -> list[Analysis]:
        """One analysis per (claim, evidence) pair, in order. spaCy reads the claims (entities, roles) and
        only the evidence sentences about the same event (roles; without NER); the parses are cached."""
        p = self.params
        claimed = [set(content_keys(c)) for c in claims]
        chosen = [e.closest(k, p.max_windows) for k, e in zip(claimed, evidence)]
        best = best_windows(self.vectors, claims, chosen)
        docs = dict(zip(claims, nlp.parse_many(list(claims))))
        # a claim without a named subject or object has no roles to compare: its evidence goes unparsed
        related = [self._related(k, e, b[0]) if roles(docs[c]) else []
                   for c, k, e, b in zip(claims, claimed, evidence, best)]
        texts = list(dict.fromkeys(s for sentences in related for s in sentences))
        docs.update(zip(texts, nlp.parse_many(texts, with_entities=False)))
        return [self._one(c, k, e, b, r, docs) for c, k, e, b, r in zip(claims, claimed, evidence, best, related)]

    def _related(self, claimed: set[str], evidence: EvidenceSet, best: Window) -> list[str]:
        """The evidence sentences whose roles count for a claim: among its best window's and the most
        overlapping few, those holding at least half its content words (the same event)."""
        top = evidence.closest(claimed, self.params.parse_sentences, singles=True)
        indexes = dict.fromkeys([*best.sentences, *(w.sentences[0] for w in top)])
        return [evidence.sentences[i] for i in indexes
                if _precision(claimed, evidence.singles[i].content) >= _RELATED]

    def _one(self, claim: str, claimed: set[str], evidence: EvidenceSet, best: tuple[Window, float, float],
             related: list[str], docs: dict) -> Analysis:
        window, similarity, single = best
        keys = word_keys(claim)
        row = dict.fromkeys(FEATURES, 0.0)
        row.update(similarity=similarity, similarity_sentence=single, claim_words=len(claim.split()))
        row["unigram_precision"] = _precision(claimed, window.content)
        row["bigram_precision"] = _precision(ngrams(keys, 2), window.gram_set(2))
        row["trigram_precision"] = _precision(ngrams(keys, 3), window.gram_set(3))
        row["bigram_precision_all"] = _precision(ngrams(keys, 2), evidence.bigrams)
        row["content_missing"] = 1 - _precision(claimed, evidence.keys)
        row["content_missing_window"] = 1 - row["unigram_precision"]
        hard = missing(claim, evidence.facts)
        for reason in hard:
            row[_HARD[reason.split()[0]]] += 1
        claim_doc = docs[claim]
        absent = _missing_entities(claim_doc, evidence)
        for _, label in absent:
            row[_ENTITY_GROUP.get(label, "missing_other")] += 1
        row["entity_pairs_apart"] = _pairs_apart(claim_doc, evidence)
        check = compare_roles(roles(claim_doc), [roles(docs[s]) for s in related], _known_actors(claim_doc, evidence))
        row.update(roles_aligned=check.aligned, subject_clash=check.subject_clash, object_clash=check.object_clash,
                   swapped=check.swapped, negation_clash=check.negation_clash, named_clash=check.named_clash)
        row["negation_diff"] = negations(claim) - negations(window.text)
        row["modal_diff"] = modals(claim) - modals(window.text)
        row["connective_new"] = len(connectives(claim) - connectives(window.text))
        cover = max(_precision(claimed, w.content) for w in evidence.closest(claimed, 3)) if claimed else 1.0
        row["splice_gain"] = _splice_gain(claimed, evidence, cover, self.params.splice_sentences)
        return Analysis(np.array([row[f] for f in FEATURES], dtype=float), hard, window.text, absent, check,
                        int(row["negation_diff"]), int(row["modal_diff"]),
                        [check.named_message] if check.named_clash else [])
