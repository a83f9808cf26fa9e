"""The single-fact re-ranker: its features on a hand-made ranking, and the shipped model's order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.core.passage import Passage
from assistant.retrieve.single import (
    SINGLE_FEATURES,
    SentenceLexicon,
    SingleParams,
    SingleRanker,
    SingleSignals,
    single_features,
)

DAY = 86_400.0
QUESTION = "How many people did the earthquake in Morocco kill?"


def passage(cid: str, text: str, article: str, position: int = 0, score: float = 0.0, title: str = "") -> Passage:
    meta = {"article_id": article, "source": "Wire", "position": position, "title": title}
    return Passage.from_metadata(cid, text, meta, score=score)


def lexicon(stamps: dict[str, float], cosines: dict[str, list[float]]) -> SentenceLexicon:
    rare = {"earthquake", "morocco"}
    return SentenceLexicon(terms=lambda text: [w.strip(".,?").lower() for w in text.split() if len(w.strip(".,?")) > 3],
                           idf=lambda term: 3.0 if term in rare else 1.0,
                           published_ts=lambda cid: stamps.get(cid, math.nan),
                           embed=lambda text: np.ones(2),
                           sentence_cosines=lambda vector, cid: np.array(cosines[cid]),
                           article_chunks={"A": 4, "B": 2}.__getitem__)


def rows_for(fused: list[Passage], stamps: dict[str, float], cosines: dict[str, list[float]], depth: int = 10):
    signals = SingleSignals(fused=fused, dense=fused[::-1], cosine={p.chunk_id: 0.5 for p in fused}, bm25=fused[:1],
                            question=QUESTION, named_sources=set(), date_windows=[], reference_ts=10 * DAY)
    return single_features(signals, lexicon(stamps, cosines), {}, SingleParams(depth))


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, SINGLE_FEATURES.index(name)]


def test_the_best_sentence_and_what_it_mentions_describe_a_candidate() -> None:
    answer = passage("a", "Rescue work went on. The earthquake in Morocco killed 2,900 people, officials said.", "A",
                     position=1, score=0.02, title="Morocco earthquake")
    scattered = passage("b", "The kingdom of Morocco is large. An earthquake struck Japan.", "B", score=0.03)
    stamps = {"a": 9 * DAY, "b": 3 * DAY}
    got, rows = rows_for([scattered, answer], stamps, {"a": [0.2, 0.9], "b": [0.4, 0.5]})

    assert [p.chunk_id for p in got] == ["b", "a"] and rows.shape == (2, len(SINGLE_FEATURES))
    assert list(column(rows, "fused_rr")) == [1.0, 0.5]
    assert list(column(rows, "bm25_rr")) == [1.0, 0.0] and list(column(rows, "dense_rr")) == [0.5, 1.0]
    # Both hold "earthquake" and "morocco", but only the answer holds them (and "people", "kill"-ed not) in one sentence.
    assert column(rows, "passage_idf_share")[0] == pytest.approx(column(rows, "passage_idf_share")[1] - 1 / 9)
    sentence = column(rows, "sentence_idf_share")
    assert sentence[1] > sentence[0] and list(column(rows, "sentence_idf_rank")) == [2.0, 1.0]
    assert list(column(rows, "sentence_cosine")) == [0.5, 0.9] and column(rows, "sentence_cosine_vs_best")[1] == 1.0
    assert list(column(rows, "wants_number")) == [1.0, 1.0] and list(column(rows, "wants_person")) == [0.0, 0.0]
    # The answer's best sentence holds a number the question does not: the kind "how many" asks for.
    assert list(column(rows, "best_sentence_new_number")) == [0.0, 1.0]
    assert column(rows, "wanted_sentence_idf_share")[0] == 0.0 and column(rows, "wanted_sentence_idf_share")[1] == sentence[1]
    assert list(column(rows, "names_share")) == [1.0, 1.0]  # "Morocco", the question's one name
    assert column(rows, "title_idf_share")[1] > 0 == column(rows, "title_idf_share")[0]
    # Age against the question's day and against the freshest candidate.
    assert list(column(rows, "age_days")) == [7.0, 1.0] and list(column(rows, "age_vs_freshest")) == [6.0, 0.0]
    assert list(column(rows, "recency_rank")) == [2.0, 1.0]
    assert list(column(rows, "relative_position")) == [0.0, 0.25]


def test_depth_bounds_the_candidates_and_an_unknown_date_stays_unknown() -> None:
    fused = [passage(c, f"Text {c} about the earthquake.", "A", position=n) for n, c in enumerate("abc")]
    got, rows = rows_for(fused, {}, {c: [0.1] for c in "abc"}, depth=2)
    assert [p.chunk_id for p in got] == ["a", "b"]
    assert np.isnan(column(rows, "age_days")).all() and np.isnan(column(rows, "recency_rank")).all()
    assert list(column(rows, "article_candidates")) == [2.0, 2.0]
    assert rows_for([], {}, {})[1].shape == (0, len(SINGLE_FEATURES))


def test_the_shipped_model_puts_the_answering_passage_first() -> None:
    ranker = SingleRanker.load()
    assert ranker is not None and ranker.params.depth >= 10
    answer = passage("a", "The earthquake in Morocco killed 2,900 people, officials said on Sunday.", "A",
                     title="Morocco earthquake kills 2,900")
    others = [passage(f"o{n}", f"Markets in Europe were mixed on day {n}.", f"O{n}") for n in range(5)]
    fused = [*others[:3], answer, *others[3:]]
    stamps = {p.chunk_id: 9 * DAY for p in fused}
    got, rows = rows_for(fused, stamps, {p.chunk_id: [0.9 if p is answer else 0.1] for p in fused})
    ranked = ranker.rank(got, rows, 3, per_article_cap=3)
    assert ranked[0].chunk_id == "a" and len(ranked) == 3
