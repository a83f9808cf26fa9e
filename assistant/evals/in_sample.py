"""Which of an eval's questions trained a shipped model: a number measured on its own training questions is
optimistic, so the report says so and names the command that prints the held-out estimate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Learned:
    """A shipped model, the ``trees.query_key`` of every question it was trained on, and its trainer."""

    name: str
    trained_on: frozenset[str]
    trainer: str


def retrieval_models(retriever) -> list[Learned]:
    """The retriever's learned rankers (the multi-source re-ranker, the single-fact ranker when shipped)."""
    from ..retrieve import single, trees

    models = [Learned(f"assistant/retrieve/{trees.MODEL_PATH.name} (multi-source re-ranker)",
                      retriever.ranker.trained_on, "make train-ranker")]
    if (shipped := retriever.single_ranker) is not None:
        models.append(Learned(f"assistant/retrieve/{single.MODEL_PATH.name} (single-fact ranker)",
                              shipped.trained_on, "make train-single-ranker"))
    return models


def in_sample_notes(models: Iterable[Learned], questions: Sequence[str]) -> list[str]:
    """One caveat per model trained on some of ``questions``."""
    from ..retrieve.trees import query_key

    keys = [query_key(q) for q in questions]
    notes = []
    for model in models:
        seen = sum(k in model.trained_on for k in keys)
        if seen:
            notes.append(f"{model.name} was trained on {seen} of these {len(keys)} questions: the numbers it "
                         f"shapes are in sample, so optimistic; '{model.trainer}' prints the held-out estimate.")
    return notes


def learned_models(answerer) -> list[Learned]:
    """Every learned model an answer passes through: the rankers and the answer-candidate scorer."""
    from ..answer import candidate_scorer

    scorer = Learned(f"assistant/answer/{candidate_scorer.MODEL_PATH.name} (answer-candidate scorer)",
                     candidate_scorer.shipped().trained_on, "make train-answer-scorer")
    return [*retrieval_models(answerer.retriever), scorer]
