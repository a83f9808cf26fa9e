"""The single-fact re-ranker: its features on a hand-made ranking, and the shipped model's order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.core.passage import Passage
from assistant.retrieve.single import SINGLE_FEATURES, SingleParams, SingleRanker, single_features
from assistant.retrieve.trees import TreeModel

DAY = 86_400.0


def passage(cid: str, article: str) -> Passage:
    return Passage.from_metadata(cid, f"Text of {cid}.", {"article_id": article, "source": "Wire", "position": 0})


def test_rows_are_the_fused_rank_and_the_age_against_the_question_day() -> None:
    fused = [passage(c, c.upper()) for c in "abcd"]
    stamps = {"a": 3 * DAY, "b": 9.5 * DAY, "c": math.nan, "d": 1 * DAY}
    got, rows = single_features(fused, stamps.__getitem__, 10 * DAY, SingleParams(depth=3))
    assert [p.chunk_id for p in got] == ["a", "b", "c"]  # the depth bounds the candidates
    assert rows.shape == (3, len(SINGLE_FEATURES))
    assert list(rows[:, SINGLE_FEATURES.index("fused_rr")]) == [1.0, 0.5, pytest.approx(1 / 3)]
    ages = rows[:, SINGLE_FEATURES.index("age_days")]
    assert list(ages[:2]) == [7.0, 0.5] and np.isnan(ages[2])  # an unknown date stays unknown
    assert single_features([], stamps.__getitem__, 10 * DAY, SingleParams(3))[1].shape == (0, len(SINGLE_FEATURES))


def test_the_ranker_orders_by_its_trees_and_fills_up_from_the_fused_rest() -> None:
    # One stump on age: a passage under 2 days old scores 1, any other 0 (ties keep the fused order).
    spec = {"features": SINGLE_FEATURES, "base": 0.0, "depth": 1,
            "nodes": [[[1, 2.0, 1, 2, 0.0, 0, 0], [0, 0.0, 0, 0, 1.0, 1, 0], [0, 0.0, 0, 0, 0.0, 1, 0]]]}
    ranker = SingleRanker(TreeModel(spec, SINGLE_FEATURES), SingleParams(depth=3))
    fused = [passage("old1", "A"), passage("old2", "A"), passage("fresh", "B"), passage("later", "C")]
    stamps = {"old1": 1 * DAY, "old2": 2 * DAY, "fresh": 9 * DAY, "later": 9 * DAY}
    got, rows = single_features(fused, stamps.__getitem__, 10 * DAY, ranker.params)
    ranked = ranker.rank(got, rows, k=4, per_article_cap=1, rest=fused[3:])
    # "fresh" first; article A's second passage waits behind the fused rest (cap 1), then fills the room.
    assert [p.chunk_id for p in ranked] == ["fresh", "old1", "later", "old2"]


def test_the_shipped_model_prefers_a_fresh_report_over_a_slightly_higher_old_one() -> None:
    ranker = SingleRanker.load()
    assert ranker is not None and ranker.params.depth >= 10
    fused = [passage(f"p{n}", f"A{n}") for n in range(6)]
    # The first two passages are years old; the third was published the day before the question.
    stamps = {"p0": -900 * DAY, "p1": -1200 * DAY, "p2": 9 * DAY, "p3": -400 * DAY, "p4": -700 * DAY, "p5": 8 * DAY}
    got, rows = single_features(fused, stamps.__getitem__, 10 * DAY, ranker.params)
    ranked = ranker.rank(got, rows, k=6, per_article_cap=3)
    assert ranked[0].chunk_id == "p2"
    # With every passage the same age, the fused leaders keep their order.
    same = {p.chunk_id: 9 * DAY for p in fused}
    got, rows = single_features(fused, same.__getitem__, 10 * DAY, ranker.params)
    assert [p.chunk_id for p in ranker.rank(got, rows, k=6, per_article_cap=3)][:3] == ["p0", "p1", "p2"]
