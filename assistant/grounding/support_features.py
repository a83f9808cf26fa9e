"""The support model's features for (claim, cited passages): what the model weighs and the reasons cite.

Meaning (similarity to the best window, in ``static`` vectors), wording (n-gram precision against it, content words the
evidence lacks, the claim's names written as the evidence writes them: ``EvidenceSet.read``), facts (the hard
checks' counts; name pairs the evidence never puts in one window), the claim's dependency arcs whose words
never meet in one evidence sentence (``arcs``), relations (a verb's subject or object differing from the
evidence sentence with the same verb, subject and object swapped, a negation flipped), hedging, and a claim
spliced from two sentences that no single window supports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from ..index.vectors import UnitVectors
from ..text import nlp
from ..text.mentions import find_names
from ..text.placeholders import mask_placeholders
from ..text.words import word_key, word_keys
from .arcs import claim_arcs
from .evidence import EvidenceSet, Window, ngrams
from .facts import missing
from .roles import Role, RoleCheck, compare_roles, connectives, modals, negations, roles
from .titles import title_clashes

FEATURES = [
    "similarity", "similarity_sentence",
    "unigram_precision", "bigram_precision", "trigram_precision", "bigram_precision_all",
    "content_missing", "content_missing_window",
    "missing_numbers", "missing_dates", "missing_names", "missing_quotes",
    "entity_pairs_apart", "arcs_apart", "arcs_far",
    "roles_aligned", "subject_clash", "object_clash", "swapped", "negation_clash", "named_clash",
    "negation_diff", "modal_diff", "connective_new",
    "splice_gain", "claim_words",
]
_RELATED = 0.5  # share of the claim's content words an evidence sentence must have for its roles to count
QUOTE_WORDS = 25  # words of a passage a reason quotes
_RESTATES = 1.0  # share of the claim's content words in its best window, and of the window's in the claim, for
# a negation flip to contradict it: the window restated with its polarity flipped. At 0.8 on FRANK dev it also
# rejected faithful compressions that drop a negated clause ("…, has not yet been approached"): correct
# summaries accepted 0.903 -> 0.894 (0.724 with the claim's side alone)
_HARD = {"number": "missing_numbers", "year": "missing_numbers", "date": "missing_dates", "name": "missing_names",
         "quote": "missing_quotes"}


@dataclass
class Analysis:
    """One claim's feature row and what a reason needs: the hard-check failures, the best window, and
    the relations and hedges that differ from the evidence."""

    row: np.ndarray
    hard: list[str]
    best: str
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


def short(text: str) -> str:
    """The first ``QUOTE_WORDS`` words of a passage text, as a reason quotes it."""
    words = text.split()
    return " ".join(words) if len(words) <= QUOTE_WORDS else " ".join(words[:QUOTE_WORDS]) + " …"


def _precision(claim: set, seen: set) -> float:
    return len(claim & seen) / len(claim) if claim else 1.0


def _names(claim: str, doc) -> set[frozenset[str]]:
    """The word keys of each proper name of the claim: ``find_names`` (capitalised words, acronyms) and any
    other word the tagger calls a proper noun ("Samsung sued …": a lone first word). No NER run, which
    would double the claim's parse."""
    names = {keys for name in find_names(claim) if (keys := frozenset(word_keys(name.text)) - {"the", "s"})}
    seen = set().union(*names) if names else set()
    return names | {frozenset([k]) for t in doc if nlp.coarse_pos(t) == "PROPN" and (k := word_key(t.text)) not in seen}


def _known_actors(names: set[frozenset[str]], evidence: EvidenceSet) -> set[str]:
    """Words of the claim's names that the evidence also uses: whom a named subject clash can be about (a
    garbled or lower-cased name is no evidence of the wrong person)."""
    return {k for name in names for k in name if k in evidence.keys}


def _pairs_apart(names: set[frozenset[str]], evidence: EvidenceSet) -> float:
    """Share of the claim's name pairs (both in the evidence) that no single window mentions together."""
    present = [n for n in names if n <= evidence.keys]
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
        """One analysis per (claim, evidence) pair, in order. spaCy parses the claims (tags and dependencies
        only: ``nlp.parse_syntax``) and only the evidence sentences about the same event, once per evidence
        set. A tokenizer placeholder ("UNK", "<unk>") is a gap: an unknown word, no evidence for or against
        (``text.placeholders``)."""
        p = self.params
        claims = [mask_placeholders(c) for c in claims]
        words = [e.read(c) for c, e in zip(claims, evidence)]
        claimed = [content for _, content in words]
        chosen = [e.closest(k, p.max_windows) for k, e in zip(claimed, evidence)]
        best = best_windows(self.vectors, claims, chosen)
        docs = dict(zip(claims, nlp.parse_syntax(claims)))
        found = {c: roles(doc) for c, doc in docs.items()}
        # a claim without a named subject or object has no roles to compare: its evidence goes unparsed
        related = [self._related(k, e, b[0]) if found[c] else []
                   for c, k, e, b in zip(claims, claimed, evidence, best)]
        todo = list(dict.fromkeys((e, s) for e, sentences in zip(evidence, related) for s in sentences
                                  if s not in e.roles))
        texts = list(dict.fromkeys(s for _, s in todo))
        parsed = dict(zip(texts, map(roles, nlp.parse_syntax(texts))))
        for e, s in todo:
            e.roles[s] = parsed[s]
        return [self._one(c, w, e, b, [e.roles[s] for s in r], found[c], docs[c])
                for c, w, e, b, r in zip(claims, words, evidence, best, related)]

    def _related(self, claimed: set[str], evidence: EvidenceSet, best: Window) -> list[str]:
        """The evidence sentences whose roles count for a claim: among its best window's and the most
        overlapping few, those holding at least half its content words (the same event)."""
        top = evidence.closest(claimed, self.params.parse_sentences, singles=True)
        indexes = dict.fromkeys([*best.sentences, *(w.sentences[0] for w in top)])
        return [evidence.sentences[i] for i in indexes
                if _precision(claimed, evidence.singles[i].content) >= _RELATED]

    def _one(self, claim: str, words: tuple[list[str], set[str]], evidence: EvidenceSet,
             best: tuple[Window, float, float], related: list[list[Role]], claim_roles: list[Role], doc) -> Analysis:
        window, similarity, single = best
        keys, claimed = words
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
        names = _names(claim, doc)
        row["entity_pairs_apart"] = _pairs_apart(names, evidence)
        row["arcs_apart"], row["arcs_far"] = evidence.places.arc_gaps(claim_arcs(doc))
        check = compare_roles(claim_roles, related, _known_actors(names, evidence))
        row.update(roles_aligned=check.aligned, subject_clash=check.subject_clash, object_clash=check.object_clash,
                   swapped=check.swapped, negation_clash=check.negation_clash, named_clash=check.named_clash)
        row["negation_diff"] = negations(claim) - negations(window.text)
        if row["negation_diff"] and min(row["unigram_precision"], _precision(window.content, claimed)) >= _RESTATES:
            # the window's own words with the polarity flipped: the passage says the opposite
            side = "adds a negation to" if row["negation_diff"] > 0 else "drops the negation of"
            hard.append(f"negation: the claim {side} what the passage says: “{short(window.text)}”")
        row["modal_diff"] = modals(claim) - modals(window.text)
        row["connective_new"] = len(connectives(claim) - connectives(window.text))
        cover = max(_precision(claimed, w.content) for w in evidence.closest(claimed, 3)) if claimed else 1.0
        row["splice_gain"] = _splice_gain(claimed, evidence, cover, self.params.splice_sentences)
        relation = [check.named_message] if check.named_clash else []
        relation += title_clashes(claim, doc, evidence)
        return Analysis(np.array([row[f] for f in FEATURES], dtype=float), hard, window.text, check,
                        int(row["negation_diff"]), int(row["modal_diff"]), relation)
