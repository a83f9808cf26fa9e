"""The verifier's perturbation set, made from news the project ships (FactCC-style): sentences and
compressions of them as supported claims, and changed copies as unsupported ones.

MultiHop-RAG articles are split by position (every fifth article is held out for ``eval verifier``, the
rest train the support model); a sentence is checked against a chunk-sized window of its article around
it, as a retrieved passage would be. CNN/DailyMail articles (training only) are whole evidence, with their
human reference summaries' sentences as abstractive supported claims. ``summary_cases`` adds claims
written the way summarisers write them (``perturb_summary``), checked against an article's opening.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..text.mentions import find_names
from ..text.sentences import sentence_spans, split_sentences
from ..text.words import normalize
from . import perturb_facts as facts
from . import perturb_roles as rel
from . import perturb_summary as summ

SUPPORTED_KINDS = ("true", "variant", "compress", "reference", "merge", "attribution", "resolve")
SUMMARY_SENTENCES = 30  # an article's opening sentences read for summary-style claims (and kept as evidence)
HELD_OUT_EVERY = 5


@dataclass(frozen=True)
class Case:
    """One claim to verify against one evidence text, and whether it should be supported."""

    kind: str
    claim: str
    evidence: str
    original: str

    @property
    def supported(self) -> bool:
        return self.kind in SUPPORTED_KINDS


def in_split(index: int, split: str) -> bool:
    """Whether the article at ``index`` belongs to ``split`` ("train" or "test")."""
    return (index % HELD_OUT_EVERY == 0) == (split == "test")


def _name_pool(bodies: Sequence[str]) -> dict[tuple[int, bool], list[str]]:
    pool: dict[tuple[int, bool], set[str]] = defaultdict(set)
    for body in bodies:
        for sentence in split_sentences(body)[:40]:
            for name in find_names(sentence):
                pool[facts.shape(name)].add(re.sub(r"['’]s$", "", name.text))
    return {shape: sorted(names) for shape, names in pool.items()}


def _people(evidence: str) -> list[str]:
    from ..text import nlp

    return sorted({e.text for e in nlp.entities(nlp.parse(evidence)) if e.label == "PERSON"})


def variants(sentence: str, evidence: str, other: str, neighbour: str, pool: dict,
             rng: random.Random) -> list[tuple[str, str | None]]:
    """Every (kind, changed sentence) the sentence allows; ``other`` is a sentence of another article,
    ``neighbour`` another sentence of the same one."""
    makers: list[tuple[str, Callable[[], str | None]]] = [
        ("variant", lambda: facts.variant(sentence, rng)),
        ("compress", lambda: rel.compress(sentence, rng)),
        ("number", lambda: facts.perturb_number(sentence, evidence, rng)),
        ("name", lambda: facts.perturb_name(sentence, evidence, pool, rng)),
        ("date", lambda: facts.perturb_date(sentence, evidence, rng)),
        ("number_inside", lambda: facts.swap_inside_number(sentence, evidence, rng)),
        ("name_inside", lambda: facts.swap_inside_name(sentence, evidence, rng)),
        ("negation", lambda: rel.negate(sentence)),
        ("roles", lambda: rel.swap_roles(sentence)),
        ("speaker", lambda: rel.swap_speaker(sentence, _people(evidence), rng)),
        ("pronoun", lambda: rel.swap_pronoun(sentence, rng)),
        ("splice", lambda: rel.splice(sentence, neighbour)),
        ("extrinsic", lambda: rel.add_phrase(sentence, other)),
    ]
    return [(kind, make()) for kind, make in makers]


def _cases_for(sentence: str, evidence: str, other: str, neighbour: str, pool: dict,
               rng: random.Random) -> list[Case]:
    out = [Case("true", sentence, evidence, sentence)]
    for kind, new in variants(sentence, evidence, other, neighbour, pool, rng):
        if new and normalize(new) != normalize(sentence):
            out.append(Case(kind, new, evidence, sentence))
    return out


def corpus_cases(articles: Sequence[dict[str, Any]], n: int, seed: int, split: str) -> list[Case]:
    """Cases from ``n`` sampled sentences of MultiHop-RAG articles in ``split`` (one per article, plus a
    ``citation`` case: the true sentence against a window of another article)."""
    rng = random.Random(seed)
    chosen = [a for i, a in enumerate(articles) if in_split(i, split) and a.get("body")]
    rng.shuffle(chosen)
    pool = _name_pool([a["body"] for a in chosen])
    cases: list[Case] = []
    for a, article in enumerate(chosen[:n]):
        body = article["body"]
        spans = sentence_spans(body)
        picks = [i for i, (lo, hi) in enumerate(spans) if facts.usable(body[lo:hi])]
        if not picks:
            continue
        i = rng.choice(picks)
        sentence, evidence = body[spans[i][0]:spans[i][1]], facts.window(body, spans, i, rng)
        other_body = chosen[(a + 1) % len(chosen)]["body"]
        other_spans = sentence_spans(other_body)
        j = rng.randrange(len(other_spans))
        other = other_body[other_spans[j][0]:other_spans[j][1]]
        neighbour = body[slice(*spans[rng.choice([k for k in range(len(spans)) if k != i] or [i])])]
        cases.extend(_cases_for(sentence, evidence, other, neighbour, pool, rng))
        cases.append(Case("citation", sentence, facts.window(other_body, other_spans, j, rng), sentence))
    return cases


def cnndm_cases(items: Sequence[dict[str, Any]], per_article: int, seed: int) -> list[Case]:
    """Cases from CNN/DailyMail articles: ``per_article`` article sentences and every reference sentence,
    each with its perturbations, against the whole article."""
    rng = random.Random(seed)
    pool = _name_pool([item["article"] for item in items])
    cases: list[Case] = []
    for k, item in enumerate(items):
        article = item["article"]
        sentences = [s for s in split_sentences(article) if facts.usable(s)]
        references = split_sentences(facts.detokenize(item["reference"]))
        others = split_sentences(items[(k + 1) % len(items)]["article"]) or [""]
        for sentence in rng.sample(sentences, min(per_article, len(sentences))) + references:
            neighbour = rng.choice(sentences) if sentences else ""
            made = _cases_for(sentence, article, rng.choice(others), neighbour, pool, rng)
            if sentence in references:
                made[0] = Case("reference", sentence, article, sentence)
            cases.extend(made)
    return cases


def _pair_cases(first: str, second: str, evidence: str, people: list[str], rng: random.Random) -> list[Case]:
    """Summary-style claims from two adjacent sentences (``perturb_summary``; compressions cutting two
    clauses), against the whole article."""
    once = rel.compress(first, rng)
    made: list[tuple[str, str | None]] = [*(summ.resolve_pronoun(first, second, people, rng)),
                                          ("attribution", summ.drop_attribution(second)),
                                          ("compress", once and rel.compress(once, rng)),
                                          ("link", summ.link(first, second, rng))]
    merged = summ.merge(first, second)
    if merged:
        made.append(merged)
    return [Case(kind, text, evidence, f"{first} {second}") for kind, text in made
            if text and normalize(text) not in (normalize(first), normalize(second))]


def summary_cases(articles: Sequence[dict[str, Any]], n: int, per_article: int, seed: int, split: str) -> list[Case]:
    """Summary-style cases (merges, dropped attributions, resolved pronouns and their errors) from ``n``
    MultiHop-RAG articles of ``split``, ``per_article`` adjacent sentence pairs each, checked against the
    article's opening (as a summary is checked against its article)."""
    rng = random.Random(seed)
    chosen = [a for i, a in enumerate(articles) if in_split(i, split) and a.get("body")]
    rng.shuffle(chosen)
    cases: list[Case] = []
    for article in chosen[:n]:
        sentences = split_sentences(article["body"])[:SUMMARY_SENTENCES]
        pairs = [i for i in range(len(sentences) - 1)
                 if facts.usable(sentences[i]) and 4 <= len(sentences[i + 1].split()) <= 45]
        if not pairs:
            continue
        evidence = " ".join(sentences)
        people = _people(evidence)
        pair_cases: list[Case] = []
        for i in rng.sample(pairs, min(per_article * 4, len(pairs))):
            pair_cases.extend(_pair_cases(sentences[i], sentences[i + 1], evidence, people, rng))
        by_kind: dict[str, list[Case]] = defaultdict(list)
        for case in pair_cases:
            by_kind[case.kind].append(case)
        cases.extend(c for kind, made in by_kind.items() for c in made[:1 if kind == "link" else per_article])
    return cases
