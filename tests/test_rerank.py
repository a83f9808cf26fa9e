"""The learned re-ranker: its features on hand-made rankings, the tree evaluator, the shipped model."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from assistant.core.passage import Passage
from assistant.retrieve.features import (
    FEATURES,
    FeatureParams,
    Lexicon,
    Signals,
    features,
)
from assistant.retrieve.trees import Ranker, TreeModel, trained_params

PARAMS = FeatureParams(main_depth=60, group_depth=20, bridge_articles=4)  # the shipped model's


def passage(cid: str, text: str, article: str, source: str = "Wired", position: int = 1, score: float = 0.0) -> Passage:
    meta = {"article_id": article, "source": source, "position": position}
    return Passage.from_metadata(cid, text, meta, score=score)


# Best sentence cosine per (text, chunk), as the sentence vectors would give it.
MEANING = {"Was the rocket launch delayed?": {"a": 0.9, "b": 0.3, "c": 0.6},
           "rocket launch delayed": {"a": 0.8, "b": 0.2, "c": 0.7},
           "shares fell": {"a": 0.1, "b": 0.5, "c": 0.1}}


def lexicon(stamps: dict[str, float]) -> Lexicon:
    rare = {"launch", "rocket"}
    return Lexicon(terms=lambda text: [w.strip(".,?").lower() for w in text.split() if len(w) > 3],
                   idf=lambda term: 3.0 if term in rare else 1.0,
                   published_ts=lambda cid: stamps.get(cid, math.nan),
                   sentence_match=lambda texts, ids: np.array([[MEANING[t][c] for c in ids] for t in texts]),
                   article_chunks={"A1": 4, "B1": 10}.__getitem__)


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, FEATURES.index(name)]


def test_features_describe_each_candidate() -> None:
    a = passage("a", "The rocket launch was delayed again.", "A1", source="Wired", position=0, score=0.8)
    b = passage("b", "Shares fell after the launch.", "B1", source="Reuters", score=0.5)
    c = passage("c", "The rocket launch happened at dawn.", "A1", source="Wired")
    signals = Signals(main=[a, b], dense=[b, a], cosine={"a": 0.8, "b": 0.5}, bm25=[a], groups=[[c, a], [b]],
                      question="Was the rocket launch delayed?", claims=["rocket launch delayed", "shares fell"],
                      named_sources={"Wired"}, date_windows=[(100, 200)])
    cache: dict = {}
    got, rows = features(signals, lexicon({"a": 150.0, "b": 300.0}), cache, PARAMS)

    assert [p.chunk_id for p in got] == ["a", "b", "c"]  # main ranking first, then the groups' new ones
    assert rows.shape == (3, len(FEATURES))
    assert list(column(rows, "main_rr")) == [1.0, 0.5, 0.0]
    assert list(column(rows, "bm25_rr")) == [1.0, 0.0, 0.0]
    assert list(column(rows, "dense_rr")) == [0.5, 1.0, 0.0]
    assert list(column(rows, "dense_cosine")) == [0.8, 0.5, 0.0]
    assert list(column(rows, "group_best_rr")) == [0.5, 1.0, 1.0]
    assert list(column(rows, "group_firsts")) == [0, 1, 1]
    assert list(column(rows, "group_share")) == [0.5, 0.5, 0.5]
    assert list(column(rows, "named_outlet")) == [1.0, 0.0, 1.0]
    assert list(column(rows, "article_main_best_rr")) == [1.0, 0.5, 1.0]  # c shares a's article
    assert list(column(rows, "article_candidates")) == [2, 1, 2]
    assert list(column(rows, "lead_chunk")) == [1.0, 0.0, 0.0]
    # question terms rocket, launch, delayed: a holds all three, b one, c two
    assert list(column(rows, "question_terms")) == pytest.approx([1.0, 1 / 3, 2 / 3])
    assert list(column(rows, "question_idf_terms")) == pytest.approx([1.0, 3 / 7, 6 / 7])  # rare words weigh 3
    assert list(column(rows, "question_pairs")) == [1.0, 0.0, 0.5]  # (rocket, launch), (launch, delayed)
    assert list(column(rows, "best_claim_terms")) == pytest.approx([1.0, 1.0, 2 / 3])  # b: "shares fell"
    assert list(column(rows, "in_date_window")) == [1.0, 0.0, 0.0]  # c has no date
    # the best match of "rocket launch delayed" is a (then c, then b); of "shares fell", b
    assert list(column(rows, "claim_leader_rr")) == [1.0, 1.0, 0.5]
    assert list(column(rows, "claim_pairs_leader_rr")) == [1.0, 1.0, 0.5]
    assert list(column(rows, "question_idf_vs_best")) == pytest.approx([1.0, 3 / 7, 6 / 7])
    # a and c share article A1: a is first in it by the whole-question ranking, c by the groups (tied at 1.0)
    assert list(column(rows, "main_rr_rank_in_article")) == [1, 1, 2]
    assert list(column(rows, "main_rr_gap_in_article")) == [0.0, 0.0, 1.0]
    assert list(column(rows, "group_best_rr_rank_in_article")) == [2, 1, 1]
    assert list(column(rows, "question_idf_terms_gap_in_article")) == pytest.approx([0.0, 0.0, 1 / 7])
    assert list(column(rows, "question_sentence_cosine")) == [0.9, 0.3, 0.6]
    assert list(column(rows, "best_claim_sentence_cosine")) == [0.8, 0.5, 0.7]
    # "rocket launch delayed": a, c, b; "shares fell": b, then a and c tied
    assert list(column(rows, "claim_sentence_leader_rr")) == [1.0, 1.0, 0.5]
    assert list(column(rows, "question_sentence_vs_best")) == pytest.approx([1.0, 1 / 3, 2 / 3])
    assert list(column(rows, "question_sentence_cosine_rank_in_article")) == [1, 1, 2]
    assert list(column(rows, "question_sentence_cosine_gap_in_article")) == pytest.approx([0.0, 0.0, 0.3])
    # where each sits: a leads A1 (4 chunks), b and c are second in B1 (10 chunks) and A1
    assert list(column(rows, "position")) == [0, 1, 1]
    assert list(column(rows, "relative_position")) == [0.0, 0.1, 0.25]
    assert list(column(rows, "words")) == [6, 5, 6]
    assert list(column(rows, "article_chunks")) == [4, 10, 4]
    assert list(column(rows, "chunks_after")) == [3, 8, 2]
    assert list(column(rows, "position_rank_in_article")) == [2, 1, 1]  # c comes after a in A1
    assert list(column(rows, "words_gap_in_article")) == [0, 0, 0]
    assert set(cache) == {"a", "b", "c"}


def test_bridge_features_find_what_other_articles_agree_on_beyond_the_question() -> None:
    """x and y (different articles) share "Acme Holdings", which the question never names; w shares it with y
    but sits in x's article, whose leading passage it is not compared with; z shares nothing."""
    x = passage("x", "The regulator fined Acme Holdings heavily.", "A")
    y = passage("y", "Acme Holdings shares dropped.", "B")
    z = passage("z", "Sunny weather across London.", "C")
    w = passage("w", "Acme Holdings denied wrongdoing.", "A")
    signals = Signals(main=[x, y, z, w], dense=[], cosine={}, bm25=[], groups=[],
                      question="Which company did the regulator fine?", claims=[], named_sources=set(), date_windows=[])
    lex = Lexicon(terms=lambda text: [t.strip(".,?").lower() for t in text.split() if len(t) > 3],
                  idf=lambda term: 3.0 if term == "acme" else 1.0, published_ts=lambda cid: math.nan,
                  sentence_match=lambda texts, ids: np.zeros((len(texts), len(ids))), article_chunks=lambda a: 5)
    _, rows = features(signals, lex, {}, PARAMS)
    # without the question's terms, x and y (and w and y) share acme (3 * 3) and holdings (1 * 1) of 12 each
    assert list(column(rows, "bridge_best")) == pytest.approx([10 / 12, 10 / 12, 0.0, 10 / 12])
    assert list(column(rows, "bridge_top2")) == pytest.approx([5 / 12, 5 / 12, 0.0, 5 / 12])
    assert list(column(rows, "bridge_mean")) == pytest.approx([5 / 12, 5 / 12, 0.0, 5 / 12])
    assert list(column(rows, "bridge_top2_rank_in_article")) == [1, 1, 1, 1]


def test_feature_params_bound_the_candidates_the_group_ranks_and_the_leading_articles() -> None:
    """main_depth and group_depth choose the candidates and where a group rank stops counting;
    bridge_articles how many leading articles the bridge features compare with."""
    x = passage("x", "The regulator fined Acme Holdings heavily.", "A")
    y = passage("y", "Acme Holdings shares dropped.", "B")
    z = passage("z", "Acme Holdings weather across London.", "C")
    signals = Signals(main=[x, y, z], dense=[], cosine={}, bm25=[], groups=[[y, z], [z]],
                      question="Which company did the regulator fine?", claims=["shares dropped"],
                      named_sources=set(), date_windows=[])
    lex = Lexicon(terms=lambda text: [t.strip(".,?").lower() for t in text.split() if len(t) > 3],
                  idf=lambda term: 1.0, published_ts=lambda cid: math.nan,
                  sentence_match=lambda texts, ids: np.zeros((len(texts), len(ids))), article_chunks=lambda a: 5)
    got, rows = features(signals, lex, {}, PARAMS)
    assert [p.chunk_id for p in got] == ["x", "y", "z"]
    assert list(column(rows, "group_best_rr")) == [0.0, 1.0, 1.0]
    assert list(column(rows, "group_sum_rr")) == [0.0, 1.0, 1.5]
    narrow = FeatureParams(main_depth=1, group_depth=1, bridge_articles=1)
    got, rows = features(signals, lex, {}, narrow)
    assert [p.chunk_id for p in got] == ["x", "y", "z"]  # x from the main ranking, y and z each first in a group
    assert list(column(rows, "group_sum_rr")) == [0.0, 1.0, 1.0]  # z's second place in the first group is past depth 1
    got, _ = features(Signals(**{**vars(signals), "groups": [[y, z]]}), lex, {}, narrow)
    assert [p.chunk_id for p in got] == ["x", "y"]
    # The leading article is y's (group first, main second): with one leader, y has no other article to
    # compare with, while with four it shares "acme holdings" with x and z.
    _, rows = features(signals, lex, {}, narrow)
    assert column(rows, "bridge_best")[1] == 0.0 and column(rows, "bridge_best")[0] > 0
    _, rows = features(signals, lex, {}, PARAMS)
    assert column(rows, "bridge_best")[1] > 0


def test_the_shipped_ranker_carries_the_feature_params_it_was_trained_with(tmp_path) -> None:
    assert Ranker.load().params == trained_params() == PARAMS
    spec = {"select": {}, "order": {}}
    (tmp_path / "old.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="train_ranker"):
        trained_params(tmp_path / "old.json")


def test_no_candidates_give_no_rows() -> None:
    """A multi-source question whose filters match nothing (e.g. --since after the newest article)."""
    signals = Signals(main=[], dense=[], cosine={}, bm25=[], groups=[[]], question="Was the rocket launch delayed?",
                      claims=["rocket launch delayed"], named_sources={"Wired"}, date_windows=[])
    got, rows = features(signals, lexicon({}), {}, PARAMS)
    assert got == [] and rows.shape == (0, len(FEATURES))


def tiny_model() -> TreeModel:
    """Two trees: f0 <= 0.5 ? -1 : (f1 <= 2 ? 1 : 3), and a stump on f1 sending NaN right."""
    first = [[0, 0.5, 1, 2, 0, 0, 1], [0, 0, 0, 0, -1.0, 1, 0], [1, 2.0, 3, 4, 0, 0, 0],
             [0, 0, 0, 0, 1.0, 1, 0], [0, 0, 0, 0, 3.0, 1, 0]]
    second = [[1, 0.0, 1, 2, 0, 0, 0], [0, 0, 0, 0, 10.0, 1, 0], [0, 0, 0, 0, 20.0, 1, 0]]
    return TreeModel({"features": FEATURES, "base": 0.5, "depth": 2, "nodes": [first, second]})


def test_tree_model_sums_the_leaves_of_every_tree() -> None:
    rows = np.zeros((4, len(FEATURES)))
    rows[:, 0] = [0.0, 1.0, 1.0, math.nan]
    rows[:, 1] = [-1.0, 1.0, 5.0, math.nan]
    # row 0: -1 + 10; row 1: 1 + 20; row 2: 3 + 20; row 3: NaN goes left in tree 1 (-1), right in tree 2 (20)
    assert list(tiny_model().score(rows)) == [9.5, 21.5, 23.5, 19.5]
    assert tiny_model().score(np.zeros((0, len(FEATURES)))).shape == (0,)


def test_model_trained_on_other_features_is_refused() -> None:
    with pytest.raises(ValueError, match="train_ranker"):
        TreeModel({"features": FEATURES[:-1], "base": 0, "depth": 0, "nodes": []})


def test_shipped_models_load_and_prefer_the_evidently_relevant() -> None:
    ranker = Ranker.load()
    strong = np.zeros(len(FEATURES))
    for name in ("main_rr", "bm25_rr", "group_best_rr", "group_share", "question_terms", "best_claim_terms",
                 "question_idf_terms", "best_claim_idf_terms", "question_pairs", "best_claim_pairs", "named_outlet"):
        strong[FEATURES.index(name)] = 1.0
    weak = np.zeros(len(FEATURES))
    weak[FEATURES.index("main_rr")] = 1 / 60
    for model in (ranker.select, ranker.order):
        scores = model.score(np.vstack([strong, weak]))
        assert np.isfinite(scores).all() and scores[0] > scores[1]


def stump(name: str, low: float, high: float) -> TreeModel:
    """One split on feature ``name`` at 0.5: ``low`` below, ``high`` above."""
    tree = [[FEATURES.index(name), 0.5, 1, 2, 0, 0, 1], [0, 0, 0, 0, low, 1, 0], [0, 0, 0, 0, high, 1, 0]]
    return TreeModel({"features": FEATURES, "base": 0.0, "depth": 1, "nodes": [tree]})


def test_one_model_chooses_the_passages_and_the_other_orders_them() -> None:
    ps = [passage(f"p{n}", f"text {n}", article=f"A{n}") for n in range(4)]
    rows = np.zeros((4, len(FEATURES)))
    rows[:, FEATURES.index("main_rr")] = [1, 1, 1, 0]  # select keeps p0-p2, in that order (stable)
    rows[:, FEATURES.index("bm25_rr")] = [0, 0, 1, 1]  # order puts p2 (and p3, were it kept) first
    ranker = Ranker(select=stump("main_rr", 0.0, 1.0), order=stump("bm25_rr", 0.0, 1.0), params=PARAMS)
    assert [p.chunk_id for p in ranker.rank(ps, rows, [], 3, 3)] == ["p2", "p0", "p1"]


def test_each_group_keeps_a_place_in_the_top_k() -> None:
    from assistant.retrieve.trees import assemble

    ps = [passage(f"p{n}", f"text {n}", article=f"A{n}") for n in range(5)]
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    assert [p.chunk_id for p in assemble(ps, scores, [], 3, 3)] == ["p0", "p1", "p2"]
    # p4 is the best of the second group; it takes the place of the lowest passage no group needs
    got = assemble(ps, scores, [[ps[0]], [ps[4], ps[3]]], 3, 3)
    assert [p.chunk_id for p in got] == ["p0", "p1", "p4"]
    # with room for only one, the first group's best stays and the second cannot displace it
    assert [p.chunk_id for p in assemble(ps, scores, [[ps[0]], [ps[4]]], 1, 3)] == ["p0"]
