"""Learned re-ranking of a single-fact question's candidates.

A question without sub-queries ("Which country won…?") is answered by one sentence of one passage, so
what decides first place is that sentence: how close in meaning it comes to the question (sentence
vectors), how much of the question's weight it and its neighbour hold (IDF share of the question's terms,
its word pairs, its names and numbers), and whether it mentions something of the kind the question asks
for that the question does not itself contain (a number for "how many", a date for "when", a name for
"who"/"which"). Next to those: how high the fused, dense and BM25 rankings put the passage, the title's
share of the question, and the passage's age against the question's day and against the other
candidates (news questions ask about the latest events). Every feature is relative to the question or
to the other candidates, never an outlet's or a week's own vocabulary, so the trees carry to outlets they
were not trained on. One LambdaRank model, trained by ``bench/train_single_ranker.py`` on MultiHop-RAG
and RealTime QA questions together, ships in ``single_ranker.json`` with the depth it was trained at.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.passage import Passage
from ..text.mentions import find_dates, find_names, find_numbers
from ..text.sentences import sentence_spans

MODEL_PATH = Path(__file__).with_name("single_ranker.json")
DAY = 86_400.0

SINGLE_FEATURES = [
    "fused_rr", "fused_vs_best", "bm25_rr", "dense_rr", "dense_cosine", "dense_cosine_vs_best",
    "passage_idf_share", "passage_terms_share", "passage_pairs_share", "title_idf_share",
    "sentence_cosine", "sentence_cosine_vs_best", "sentence_cosine_rank",
    "sentence_idf_share", "sentence_idf_vs_best", "sentence_idf_rank", "sentence_pairs_share",
    "window_idf_share", "names_share", "sentence_names_share", "numbers_share",
    "wants_number", "wants_date", "wants_person", "wants_place",
    "best_sentence_new_number", "best_sentence_new_date", "best_sentence_new_name", "wanted_sentence_idf_share",
    "age_days", "age_vs_freshest", "recency_rank", "in_date_window", "named_outlet",
    "position", "relative_position", "words", "article_candidates", "article_best_fused_rr",
    "sentence_idf_rank_in_article",
]

# What kind of mention answers a question, from its interrogative phrase (a closed class of English words).
_WANTS = {
    "number": re.compile(r"\bhow\s+(?:many|much|long|old|far|often|big|tall|high|large)\b|"
                         r"\bwhat\s+(?:percentage|percent|share|number|amount|proportion)\b", re.I),
    "date": re.compile(r"^\W*when\b|\bwhat\s+(?:year|month|day|date|time)\b|\bwhich\s+(?:year|month|day|date)\b", re.I),
    "person": re.compile(r"^\W*(?:who|whom|whose)\b", re.I),
    "place": re.compile(r"^\W*where\b", re.I),
}


@dataclass(frozen=True)
class SingleParams:
    """How deep the fused ranking's candidates are taken: it shapes the rows the model was trained on, so it
    lives beside the trees in single_ranker.json (changing it means retraining)."""

    depth: int


@dataclass
class SingleSignals:
    """What the retriever found for one single-fact question."""

    fused: Sequence[Passage]
    dense: Sequence[Passage]
    cosine: dict[str, float]  # the dense ranking's similarities
    bm25: Sequence[Passage]
    question: str
    named_sources: set[str]
    date_windows: Sequence[tuple[int, int]]
    reference_ts: float  # end of the question's day (--as-of), or of the index's newest day


@dataclass
class SentenceLexicon:
    """Terms and weights as the BM25 index cuts them, each chunk's publication time, and each of a chunk's
    sentences' cosine with a question (the sidecar's sentence vectors, split as ``sentence_spans`` splits)."""

    terms: Callable[[str], list[str]]
    idf: Callable[[str], float]
    published_ts: Callable[[str], float]
    embed: Callable[[str], np.ndarray]
    sentence_cosines: Callable[[np.ndarray, str], np.ndarray]  # (question vector, chunk id) -> per sentence
    article_chunks: Callable[[str], int]  # article id -> how many chunks the index holds of it


@dataclass
class Sentences:
    """A passage's sentences as term sets, word pairs and mentions (kept between questions)."""

    terms: list[set[str]]
    pairs: list[set[tuple[str, str]]]
    numbers: list[set[float]]
    dates: list[bool]
    names: list[list[set[str]]]  # each name as its terms
    title_terms: set[str]
    words: int

    @classmethod
    def of(cls, passage: Passage, terms: Callable[[str], list[str]]) -> "Sentences":
        out = cls([], [], [], [], [], set(terms(passage.article.title or "")), len(passage.text.split()))
        for a, b in sentence_spans(passage.text) or [(0, len(passage.text))]:
            text = passage.text[a:b]
            cut = terms(text)
            out.terms.append(set(cut))
            out.pairs.append(set(zip(cut, cut[1:])))
            out.numbers.append({n.value for n in find_numbers(text)})
            out.dates.append(bool(find_dates(text)))
            out.names.append([set(terms(n.text)) for n in find_names(text)])
        return out


@dataclass
class Question:
    """The question's side of the features, computed once."""

    terms: list[str]
    weight: dict[str, float]
    pairs: set[tuple[str, str]]
    names: list[set[str]]
    numbers: set[float]
    wants: dict[str, bool]

    @classmethod
    def of(cls, question: str, lexicon: SentenceLexicon) -> "Question":
        terms = lexicon.terms(question)
        return cls(terms, {t: lexicon.idf(t) for t in set(terms)}, set(zip(terms, terms[1:])),
                   [t for t in (set(lexicon.terms(n.text)) for n in find_names(question)) if t],
                   {n.value for n in find_numbers(question)},
                   {kind: bool(pattern.search(question)) for kind, pattern in _WANTS.items()})

    def share(self, held: set[str]) -> float:
        total = sum(self.weight.values())
        return sum(w for t, w in self.weight.items() if t in held) / total if total else 0.0


def single_features(signals: SingleSignals, lexicon: SentenceLexicon, cache: dict[str, Sentences],
                    params: SingleParams) -> tuple[list[Passage], np.ndarray]:
    """The fused ranking's top ``depth`` passages and one ``SINGLE_FEATURES`` row each."""
    candidates = list(signals.fused[:params.depth])
    question = Question.of(signals.question, lexicon)
    vector = lexicon.embed(signals.question)
    for passage in candidates:
        if passage.chunk_id not in cache:
            cache[passage.chunk_id] = Sentences.of(passage, lexicon.terms)
    ranks = ({p.chunk_id: n for n, p in enumerate(signals.bm25, start=1)},
             {p.chunk_id: n for n, p in enumerate(signals.dense, start=1)})
    rows = [_row(signals, lexicon, question, vector, cache[p.chunk_id], p, rank, ranks)
            for rank, p in enumerate(candidates, start=1)]
    matrix = np.array(rows, dtype=float).reshape(len(rows), len(SINGLE_FEATURES))
    _relative(matrix, [p.article.id for p in candidates])
    return candidates, matrix


def _row(signals: SingleSignals, lexicon: SentenceLexicon, question: Question, vector: np.ndarray,
         sentences: Sentences, passage: Passage, rank: int, ranks: tuple[dict, dict]) -> list[float]:
    """One candidate's row; the columns relative to the other candidates are filled in by ``_relative``."""
    cid = passage.chunk_id
    bm25, dense = ranks[0].get(cid, 0), ranks[1].get(cid, 0)
    cosines = lexicon.sentence_cosines(vector, cid)
    idf = [question.share(terms) for terms in sentences.terms]
    best = int(np.argmax(idf)) if idf else 0
    window = max((question.share(a | b) for a, b in zip(sentences.terms, sentences.terms[1:])), default=max(idf, default=0.0))
    held = set().union(*sentences.terms) if sentences.terms else set()
    names = _names_share(question.names, [name for names in sentences.names for name in names])
    new = _new_mentions(question, sentences, best)
    wanted = max((idf[n] for n in range(len(idf)) if _has_wanted(question, sentences, n)), default=0.0)
    ts = lexicon.published_ts(cid)
    age = (signals.reference_ts - ts) / DAY if math.isfinite(ts) else float("nan")
    return [
        1.0 / rank, passage.score, 1.0 / bm25 if bm25 else 0.0, 1.0 / dense if dense else 0.0,
        signals.cosine.get(cid, 0.0), signals.cosine.get(cid, 0.0),
        question.share(held), _plain_share(question.terms, held),
        len(question.pairs & set().union(*sentences.pairs)) / len(question.pairs) if question.pairs and sentences.pairs else 0.0,
        question.share(sentences.title_terms),
        float(cosines.max()) if cosines.size else 0.0, 0.0, 0.0,
        idf[best] if idf else 0.0, 0.0, 0.0,
        len(question.pairs & sentences.pairs[best]) / len(question.pairs) if question.pairs and sentences.pairs else 0.0,
        window, names, max((_names_share(question.names, n) for n in sentences.names), default=0.0),
        len(question.numbers & set().union(*sentences.numbers)) / len(question.numbers) if question.numbers else 0.0,
        *(float(question.wants[k]) for k in ("number", "date", "person", "place")),
        *new, wanted,
        age, 0.0, 0.0,
        float(any(lo <= ts <= hi for lo, hi in signals.date_windows)),
        float(passage.article.source in signals.named_sources),
        float(passage.position), passage.position / max(1, lexicon.article_chunks(passage.article.id)),
        float(sentences.words), 0.0, 0.0, 0.0,
    ]


def _plain_share(terms: list[str], held: set[str]) -> float:
    asked = set(terms)
    return len(asked & held) / len(asked) if asked else 0.0


def _names_share(asked: list[set[str]], held: list[set[str]]) -> float:
    """Share of the question's names each of whose terms one held name (or the held names together) has."""
    if not asked:
        return 0.0
    together = set().union(*held) if held else set()
    return sum(name <= together for name in asked) / len(asked)


def _new_mentions(question: Question, sentences: Sentences, n: int) -> list[float]:
    """Whether sentence ``n`` mentions a number, a date and a name that the question does not."""
    if not sentences.terms:
        return [0.0, 0.0, 0.0]
    asked = set(question.terms)
    return [float(bool(sentences.numbers[n] - question.numbers)), float(sentences.dates[n]),
            float(any(name and not name <= asked for name in sentences.names[n]))]


def _has_wanted(question: Question, sentences: Sentences, n: int) -> bool:
    """Sentence ``n`` holds a mention of the kind the question asks for (a name when it names no kind)."""
    number, date, name = _new_mentions(question, sentences, n)
    if question.wants["number"]:
        return bool(number)
    if question.wants["date"]:
        return bool(date)
    return bool(name)


def _relative(matrix: np.ndarray, articles: Sequence[str]) -> None:
    """Fill the columns that compare a candidate with the others (best, freshest, rank among them)."""
    col = SINGLE_FEATURES.index
    if not len(matrix):
        return
    for value, share in (("fused_vs_best", "fused_vs_best"), ("dense_cosine", "dense_cosine_vs_best"),
                         ("sentence_cosine", "sentence_cosine_vs_best"), ("sentence_idf_share", "sentence_idf_vs_best")):
        values = matrix[:, col(value)]
        best = values.max()
        matrix[:, col(share)] = values / best if best > 0 else 0.0
    for value, rank in (("sentence_cosine", "sentence_cosine_rank"), ("sentence_idf_share", "sentence_idf_rank")):
        matrix[:, col(rank)] = _rank(-matrix[:, col(value)])
    age = matrix[:, col("age_days")]
    known = np.isfinite(age)
    if known.any():
        matrix[:, col("age_vs_freshest")] = age - age[known].min()
        matrix[:, col("recency_rank")] = np.where(known, _rank(np.where(known, age, np.inf)), np.nan)
    else:
        matrix[:, col("age_vs_freshest")] = matrix[:, col("recency_rank")] = np.nan
    _within_articles(matrix, articles)


def _within_articles(matrix: np.ndarray, articles: Sequence[str]) -> None:
    col = SINGLE_FEATURES.index
    groups: dict[str, list[int]] = {}
    for n, article in enumerate(articles):
        groups.setdefault(article, []).append(n)
    for rows in groups.values():
        index = np.array(rows)
        matrix[index, col("article_candidates")] = len(rows)
        matrix[index, col("article_best_fused_rr")] = matrix[index, col("fused_rr")].max()
        matrix[index, col("sentence_idf_rank_in_article")] = _rank(-matrix[index, col("sentence_idf_share")])


def _rank(values: np.ndarray) -> np.ndarray:
    """1 for the smallest value, ties in order (stable)."""
    order = np.argsort(values, kind="stable")
    out = np.empty(len(values))
    out[order] = np.arange(1, len(values) + 1)
    return out


@dataclass
class SingleRanker:
    """The shipped trees and the depth their rows were computed at."""

    model: object  # trees.TreeModel
    params: SingleParams

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "SingleRanker | None":
        """The shipped model, or None when there is none (single-fact questions keep the fused order)."""
        from .trees import TreeModel

        if not path.exists():
            return None
        spec = json.loads(path.read_text(encoding="utf-8"))
        return cls(TreeModel(spec["order"], SINGLE_FEATURES, path.name, "bench/train_single_ranker.py"),
                   SingleParams(**spec["params"]))

    def rank(self, passages: Sequence[Passage], rows: np.ndarray, k: int, per_article_cap: int,
             rest: Sequence[Passage] = ()) -> list[Passage]:
        """The candidates by the model's score, diversified; the fused ranking's ``rest`` fills any room left."""
        from .fusion import diversify

        scores = self.model.score(rows)
        ordered = [passages[n] for n in np.argsort(-scores, kind="stable")]
        return diversify([*ordered, *rest], k, per_article_cap)
