"""Learned re-ranking of a multi-source question's candidates.

A question that names outlets or lists claims is searched several ways (the whole question, dense and
BM25; one ranking per outlet and per claim). Which candidate deserves first place depends on all of
them at once: how high each ranking puts it, whether its outlet and date are the ones asked about, how
many of the question's (and each claim's) words and word pairs it holds, how close in meaning its best
sentence comes to them (where the question paraphrases its evidence), and where the passage sits: news
puts its key facts first, and a long article spreads its facts over more passages. Two small gradient-boosted tree
models, trained by ``bench/train_ranker.py``, weigh those signals and ship in ``ranker.json``: one
(a classifier) chooses the passages, the other (trained to rank a question's list) orders them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..core.passage import Passage

OWN = [  # computed passage by passage
    "main_rr", "bm25_rr", "dense_rr", "dense_cosine",
    "group_best_rr", "group_sum_rr", "group_firsts", "group_top3", "group_share",
    "named_outlet", "article_main_best_rr", "article_group_best_rr", "lead_chunk",
    "question_terms", "best_claim_terms", "question_idf_terms", "best_claim_idf_terms",
    "question_pairs", "best_claim_pairs", "article_candidates", "in_date_window",
    "question_sentence_cosine", "best_claim_sentence_cosine",
    "position", "relative_position", "words", "article_chunks", "chunks_after",
]
RELATIVE = [  # against the other candidates
    "claim_leader_rr", "claim_pairs_leader_rr", "question_idf_vs_best",
    "claim_sentence_leader_rr", "question_sentence_vs_best",
    "bridge_best", "bridge_top2", "bridge_mean",
]
# An article rarely holds more than one piece of a question's evidence (1,070 of 1,104 evidence-holding
# articles in the public queries hold one), so which of its passages is the right one matters: each of
# these is also given as the passage's rank among its article's candidates and its gap to their best.
WITHIN_ARTICLE = ["main_rr", "bm25_rr", "dense_cosine", "question_idf_terms", "best_claim_idf_terms",
                  "best_claim_pairs", "group_best_rr", "question_sentence_cosine", "words", "position",
                  "bridge_top2"]
FEATURES = OWN + RELATIVE + [f"{name}_{kind}_in_article" for name in WITHIN_ARTICLE for kind in ("rank", "gap")]


@dataclass(frozen=True)
class FeatureParams:
    """How deep the candidates are taken and how many articles lead the bridge features. They shape the
    rows the ranker was trained on (which passages are candidates, from which group rank on a passage
    counts as unranked, what ``article_candidates`` counts, whose words ``bridge_*`` compare with), so
    they are not settings: they live in ranker.json beside the trees, are read with them, and
    ``bench/train_ranker.py`` writes the values it trained with (changing one means retraining)."""

    main_depth: int  # candidates taken from the whole question's fused ranking
    group_depth: int  # and from each outlet's or claim's ranking
    bridge_articles: int  # the leading articles a passage's other words are compared with

    def to_spec(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class Signals:
    """What the retriever found for one question, in the shape the features need."""

    main: Sequence[Passage]  # the whole question, fused
    dense: Sequence[Passage]
    cosine: dict[str, float]  # the dense ranking's similarities (fusion overwrites passages' scores)
    bm25: Sequence[Passage]
    groups: Sequence[Sequence[Passage]]  # one fused ranking per outlet / claim
    question: str
    claims: Sequence[str]  # the sub-query texts
    named_sources: set[str]
    date_windows: Sequence[tuple[int, int]]


@dataclass
class Lexicon:
    """Terms as the BM25 index cuts them, their weights, each chunk's publication time, and how closely
    a chunk's best sentence matches a text in meaning (the words a question paraphrases)."""

    terms: Callable[[str], list[str]]
    idf: Callable[[str], float]
    published_ts: Callable[[str], float]  # chunk id -> epoch seconds (nan when unknown)
    # (texts, chunk ids) -> texts x chunks: each chunk's highest sentence cosine (sentence_vectors)
    sentence_match: Callable[[Sequence[str], Sequence[str]], np.ndarray]
    article_chunks: Callable[[str], int]  # article id -> how many chunks the index holds of it


def _ranks(ranking: Sequence[Passage], depth: int | None = None) -> dict[str, int]:
    return {p.chunk_id: n for n, p in enumerate(ranking[:depth] if depth else ranking, start=1)}


def _pairs(terms: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:]))


def _membership(sets: Sequence[set], vocabulary: Sequence) -> np.ndarray:
    """sets x vocabulary: 1.0 where the set holds the item."""
    matrix = np.array([[item in held for item in vocabulary] for held in sets], dtype=float)
    return matrix.reshape(len(sets), len(vocabulary))  # also when there are no sets


def _shares(asked: np.ndarray, held: np.ndarray) -> np.ndarray:
    """asks x items -> asks x candidates: each ask's (weighted) share held by each candidate (0 for an empty ask)."""
    total = asked.sum(axis=1, keepdims=True)
    return np.divide(asked @ held, total, out=np.zeros((len(asked), held.shape[1])), where=total > 0)


def features(signals: Signals, lexicon: Lexicon, cache: dict[str, Bag],
             params: FeatureParams) -> tuple[list[Passage], np.ndarray]:
    """The candidates (the whole question's top ``main_depth``, each group's top ``group_depth``) and one
    feature row per candidate.

    ``cache`` keeps each chunk's terms between questions (the same chunks recur)."""
    candidates = _candidates(signals, params)
    for cid, passage in candidates.items():
        if cid not in cache:
            cache[cid] = Bag.of(passage.text, lexicon.terms(passage.text), lexicon.idf)
    bags = [cache[cid] for cid in candidates]
    q_terms = lexicon.terms(signals.question)
    plain, weighted, pairs = _term_shares(q_terms, [lexicon.terms(c) for c in signals.claims], lexicon.idf, bags)
    meaning = lexicon.sentence_match([signals.question, *signals.claims], list(candidates))
    question_sentence = meaning[0]
    claim_sentence = meaning[1:] if len(meaning) > 1 else meaning
    base = _own(signals, lexicon, params, candidates, bags, plain[0], weighted[0], pairs[0], question_sentence)
    for name, matrix in (("best_claim_terms", plain[1:]), ("best_claim_idf_terms", weighted[1:]),
                         ("best_claim_pairs", pairs[1:])):
        base[:, OWN.index(name)] = matrix.max(axis=0, initial=0.0)
    base[:, OWN.index("best_claim_sentence_cosine")] = claim_sentence.max(axis=0)
    articles = [p.article.id for p in candidates.values()]
    relative = np.column_stack([_leader_rr(weighted[1:]), _leader_rr(pairs[1:]),
                                _vs_best(base[:, FEATURES.index("question_idf_terms")]),
                                _leader_rr(claim_sentence), _vs_best(question_sentence),
                                _bridge(articles, bags, base, set(q_terms), params.bridge_articles)])
    own = np.hstack([base, relative])
    within = _within_article(own[:, [FEATURES.index(name) for name in WITHIN_ARTICLE]], articles)
    return list(candidates.values()), np.hstack([own, within])


def _candidates(signals: Signals, params: FeatureParams) -> dict[str, Passage]:
    """The whole question's leading passages, then each group's that are not among them yet, in that order."""
    candidates: dict[str, Passage] = {}
    for passage in signals.main[:params.main_depth]:
        candidates.setdefault(passage.chunk_id, passage)
    for ranking in signals.groups:
        for passage in ranking[:params.group_depth]:
            candidates.setdefault(passage.chunk_id, passage)
    return candidates


def _term_shares(q_terms: list[str], claims: Sequence[list[str]], idf: Callable[[str], float],
                 bags: Sequence[Bag]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ask (row 0 the whole question, the next rows each claim; given as their terms) and candidate
    (column): the share of its terms, of its IDF weight and of its word pairs the candidate holds."""
    # Columns are terms (and word pairs) in sorted order, so every sum runs in the same order in every process
    # (a set's order follows the per-process string-hash seed, and float sums in another order differ in the
    # last bits, enough to flip a tree's split).
    asks = [(set(t), _pairs(t)) for t in [q_terms, *claims]]
    vocabulary = sorted(set().union(*(terms for terms, _ in asks)))
    pair_vocabulary = sorted(set().union(*(pairs for _, pairs in asks)))
    asked = _membership([terms for terms, _ in asks], vocabulary)
    asked_pairs = _membership([pairs for _, pairs in asks], pair_vocabulary)
    idf_asked = asked * np.array([idf(t) for t in vocabulary])
    held = _membership([bag.terms for bag in bags], vocabulary).T
    held_pairs = _membership([bag.pairs for bag in bags], pair_vocabulary).T
    return _shares(asked, held), _shares(idf_asked, held), _shares(asked_pairs, held_pairs)


def _own(signals: Signals, lexicon: Lexicon, params: FeatureParams, candidates: dict[str, Passage],
         bags: Sequence[Bag], plain: np.ndarray, weighted: np.ndarray, pairs: np.ndarray,
         question_sentence: np.ndarray) -> np.ndarray:
    """The ``OWN`` columns, passage by passage; the best claim's shares are left at 0 for ``features`` to
    fill in for all candidates at once. ``plain``, ``weighted`` and ``pairs`` are the whole question's shares."""
    main, bm25, dense = _ranks(signals.main), _ranks(signals.bm25), _ranks(signals.dense)
    groups = [_ranks(g, params.group_depth) for g in signals.groups]
    per_article = Counter(p.article.id for p in candidates.values())
    group_rr = {cid: [1.0 / g[cid] if cid in g else 0.0 for g in groups] for cid in candidates}
    article_main: dict[str, float] = {}
    article_group: dict[str, float] = {}
    for cid, passage in candidates.items():
        aid = passage.article.id
        article_main[aid] = max(article_main.get(aid, 0.0), 1.0 / main[cid] if cid in main else 0.0)
        article_group[aid] = max(article_group.get(aid, 0.0), max(group_rr[cid], default=0.0))
    rows = []
    for col, (cid, passage) in enumerate(candidates.items()):
        rr = group_rr[cid]
        ts = lexicon.published_ts(cid)
        chunks = lexicon.article_chunks(passage.article.id)
        rows.append([
            1.0 / main[cid] if cid in main else 0.0,
            1.0 / bm25[cid] if cid in bm25 else 0.0,
            1.0 / dense[cid] if cid in dense else 0.0,
            signals.cosine.get(cid, 0.0),
            max(rr, default=0.0),
            sum(rr),
            sum(1 for x in rr if x == 1.0),
            sum(1 for x in rr if x >= 1 / 3),
            sum(1 for x in rr if x > 0) / len(rr) if rr else 0.0,
            float(passage.article.source in signals.named_sources),
            article_main[passage.article.id],
            article_group[passage.article.id],
            float(passage.position == 0),
            plain[col],
            0.0,  # best claim's share
            weighted[col],
            0.0,
            pairs[col],
            0.0,
            float(per_article[passage.article.id]),
            float(any(lo <= ts <= hi for lo, hi in signals.date_windows)),
            question_sentence[col],
            0.0,
            float(passage.position),
            passage.position / max(chunks, 1),
            float(bags[col].words),
            float(chunks),
            float(chunks - 1 - passage.position),
        ])
    return np.array(rows, dtype=float).reshape(len(rows), len(OWN))


def _vs_best(values: np.ndarray) -> np.ndarray:
    """Each value as a share of the highest (all 0 when none is above 0)."""
    best = values.max(initial=0.0)
    return values / best if best > 0 else np.zeros(len(values))


@dataclass
class Bag:
    """A passage's words, terms and word pairs, and its TF-IDF vector ((1 + log tf) * idf) as parallel arrays of
    term hashes and weights in the text's order; kept between questions (hashes only ever meet hashes of
    the same process)."""

    words: int
    terms: set[str]
    pairs: set[tuple[str, str]]
    hashes: np.ndarray  # int64
    weights: np.ndarray

    @classmethod
    def of(cls, text: str, terms: list[str], idf: Callable[[str], float]) -> "Bag":
        counts = Counter(terms)
        return cls(len(text.split()), set(counts), _pairs(terms), np.fromiter(map(hash, counts), np.int64, len(counts)),
                   np.fromiter(((1.0 + math.log(n)) * idf(t) for t, n in counts.items()), float, len(counts)))


def _bridge(articles: Sequence[str], bags: Sequence[Bag], base: np.ndarray, asked: set[str], leading: int) -> np.ndarray:
    """How much of what a passage says beyond the question's words it shares with the leading passages of
    other articles (TF-IDF cosine without the question's terms; best, mean of the best two, mean). The
    evidence of a multi-source question tends to agree on what the question leaves out: the person or
    company it asks about, the event all outlets covered. Leading: the first passage of each of the
    ``leading`` articles that the whole question's and the outlets' and claims' rankings put highest."""
    out = np.zeros((len(bags), 3))
    if not bags:
        return out
    lead = base[:, OWN.index("main_rr")] + base[:, OWN.index("group_best_rr")]
    refs: list[int] = []
    seen: set[str] = set()
    for row in np.argsort(-lead, kind="stable"):
        if articles[row] not in seen:
            seen.add(articles[row])
            refs.append(int(row))
            if len(refs) == leading:
                break
    # Every candidate's (row, term hash, weight), without the question's terms; each row's entries stay in
    # text order, so its sums come out the same in every process.
    rows = np.repeat(np.arange(len(bags)), [len(b.hashes) for b in bags])
    hashes = np.concatenate([b.hashes for b in bags])
    weights = np.concatenate([b.weights for b in bags])
    keep = ~np.isin(hashes, np.fromiter(map(hash, asked), np.int64, len(asked)))
    rows, hashes, weights = rows[keep], hashes[keep], weights[keep]
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(bags)))
    leaders = [ref for ref in refs if norms[ref] > 0]
    if not leaders:
        return out
    # The leaders' unit vectors as a (term x leader) table over their own terms; each entry finds its row.
    vocabulary = np.unique(hashes[np.isin(rows, leaders)])
    table = np.zeros((len(vocabulary), len(leaders)))
    for n, ref in enumerate(leaders):
        mine = rows == ref
        table[np.searchsorted(vocabulary, hashes[mine]), n] = weights[mine] / norms[ref]
    at = np.minimum(np.searchsorted(vocabulary, hashes), len(vocabulary) - 1)
    found = vocabulary[at] == hashes
    width = len(leaders)
    cells = (rows[found, None] * width + np.arange(width)).ravel()  # (candidate, leader) of each product
    dots = np.bincount(cells, weights=(weights[found, None] * table[at[found]]).ravel(),
                       minlength=len(bags) * width).reshape(len(bags), width)
    article_of = np.array(articles, dtype=object)
    other = (article_of[:, None] != article_of[leaders][None, :]) & (norms > 0)[:, None]
    cosines = np.where(other, dots / np.where(norms > 0, norms, 1.0)[:, None], -np.inf)
    ordered = -np.sort(-cosines, axis=1)  # the comparable ones first, best first
    counted = other.sum(axis=1)
    has = counted > 0
    best_two = np.where(np.arange(min(2, len(leaders)))[None, :] < counted[:, None], ordered[:, :2], 0.0)
    out[has, 0] = ordered[has, 0]
    out[has, 1] = best_two[has].sum(axis=1) / np.minimum(counted[has], 2)
    out[has, 2] = np.where(other, cosines, 0.0)[has].sum(axis=1) / counted[has]
    return out


def _within_article(values: np.ndarray, articles: Sequence[str]) -> np.ndarray:
    """Per candidate and column: its rank among its article's candidates (1 = highest, ties share) and
    its gap to their highest, interleaved as (rank, gap) per column."""
    out = np.zeros((len(values), 2 * values.shape[1]))
    members: dict[str, list[int]] = {}
    for row, article in enumerate(articles):
        members.setdefault(article, []).append(row)
    for rows in members.values():
        block = values[rows]
        out[rows, 0::2] = (block[None, :, :] > block[:, None, :]).sum(axis=1) + 1
        out[rows, 1::2] = block.max(axis=0) - block
    return out


def _leader_rr(matrix: np.ndarray) -> np.ndarray:
    """Per candidate (column), the best 1/rank it holds in any row (claim); ties share a rank, zeros rank nowhere."""
    if matrix.size == 0:
        return np.zeros(matrix.shape[1])
    ranks = (matrix[:, None, :] > matrix[:, :, None]).sum(axis=2) + 1
    return np.where(matrix > 0, 1.0 / ranks, 0.0).max(axis=0)


