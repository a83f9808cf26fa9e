"""The learned candidate scorer: gradient-boosted trees over ``candidate_features.FEATURES`` read from
``candidate_scorer.json`` and scored in numpy, their output turned into the probability that the candidate is
the answer (Platt scaling fitted on held-out fold predictions), and the floor under which a typed question
abstains. All three are written by ``bench/train_answer_scorer.py`` (``make train-answer-scorer``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..retrieve.trees import TreeModel
from .candidate_features import FEATURES

MODEL_PATH = Path(__file__).with_name("candidate_scorer.json")
TRAINER = "bench/train_answer_scorer.py"


@dataclass(frozen=True)
class CandidateScorer:
    """Trees, their calibration (probability = 1 / (1 + exp(-(slope * score + intercept)))) and the floor."""

    trees: TreeModel
    slope: float
    intercept: float
    floor: float  # least probability for the best candidate to answer a typed question
    trained_on: frozenset[str] = frozenset()  # trees.query_key of every training question

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "CandidateScorer":
        spec = json.loads(path.read_text(encoding="utf-8"))
        calibration = spec["calibration"]
        return cls(TreeModel(spec["trees"], FEATURES, source=path.name, trainer=TRAINER),
                   float(calibration["slope"]), float(calibration["intercept"]), float(spec["floor"]["value"]),
                   frozenset(spec.get("trained_on", [])))

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The calibrated probability that each row's candidate is the answer."""
        return 1.0 / (1.0 + np.exp(-(self.slope * self.trees.score(rows) + self.intercept)))


@cache
def shipped() -> CandidateScorer:
    """The shipped scorer, loaded once on first use."""
    return CandidateScorer.load()
