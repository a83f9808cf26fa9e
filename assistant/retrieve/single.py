"""Learned re-ranking of a single-fact question's candidates: the fused rank weighed against the passage's age.

A question without sub-queries ("Which country won…?") was ordered by fusion alone, so a years-old article
that matches the question's words outranked this week's report. News questions ask about the news as of
their day, so the trees shipped in ``single_ranker.json`` (LambdaRank, trained by
``bench/train_single_ranker.py`` on MultiHop-RAG public and RealTime QA dev questions together) order the
fused ranking's leading passages by two features: the fused rank, and the days between the passage's
publication and the question's day (``--as-of``, else the index's newest day). Both are relative to the
question, not to an outlet or a week, so they carry to other news. Sentence-level, name, answer-type and
title features were measured held out too and did worse on news (README, "Retrieval on news").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.passage import Passage

MODEL_PATH = Path(__file__).with_name("single_ranker.json")
DAY = 86_400.0
SINGLE_FEATURES = ["fused_rr", "age_days"]


@dataclass(frozen=True)
class SingleParams:
    """How deep the fused ranking's candidates are taken: it shapes the rows the model was trained on, so it
    lives beside the trees in single_ranker.json (changing it means retraining)."""

    depth: int


def single_features(fused: Sequence[Passage], published_ts: Callable[[str], float], reference_ts: float,
                    params: SingleParams) -> tuple[list[Passage], np.ndarray]:
    """The fused ranking's top ``depth`` passages and one ``SINGLE_FEATURES`` row each (age unknown: NaN,
    which the trees send the way training taught them)."""
    candidates = list(fused[:params.depth])
    ages = [(reference_ts - published_ts(p.chunk_id)) / DAY for p in candidates]
    rows = np.column_stack([1.0 / np.arange(1, len(candidates) + 1), np.array(ages, dtype=float)])
    return candidates, rows.reshape(len(candidates), len(SINGLE_FEATURES))


@dataclass
class SingleRanker:
    """The shipped trees and the depth their rows were computed at."""

    model: object  # trees.TreeModel
    params: SingleParams
    trained_on: frozenset[str] = frozenset()  # trees.query_key of every training question

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "SingleRanker | None":
        """The shipped model, or None when there is none (single-fact questions then keep the fused order)."""
        from .trees import TreeModel

        if not path.exists():
            return None
        spec = json.loads(path.read_text(encoding="utf-8"))
        return cls(TreeModel(spec["order"], SINGLE_FEATURES, path.name, "bench/train_single_ranker.py"),
                   SingleParams(**spec["params"]), frozenset(spec.get("trained_on", [])))

    def rank(self, passages: Sequence[Passage], rows: np.ndarray, k: int, per_article_cap: int,
             rest: Sequence[Passage] = ()) -> list[Passage]:
        """The candidates by the model's score, diversified; the fused ranking's ``rest`` fills any room left."""
        from .fusion import diversify

        ordered = [passages[n] for n in np.argsort(-self.model.score(rows), kind="stable")]
        return diversify([*ordered, *rest], k, per_article_cap)
