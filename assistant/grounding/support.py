"""The shipped support model: gradient-boosted trees over the support features, read from support.json
(written by ``bench/train_verifier.py``), scored in numpy and mapped to a calibrated probability.

The calibration is a logistic curve (Platt scaling, sampled densely), fitted on out-of-fold scores of the
training claims; the threshold and how a summary's sentence scores combine were chosen on the FRANK
validation summaries (a dev set) and live here beside the trees they belong to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core.errors import ModelError
from ..retrieve.trees import TreeModel
from .support_features import FEATURES, FeatureParams

MODEL_PATH = Path(__file__).with_name("support.json")
TRAINER = "bench/train_verifier.py"


@dataclass
class SupportModel:
    """Trees, the calibration curve (raw score -> probability) and the chosen decision threshold."""

    trees: TreeModel
    curve_x: np.ndarray
    curve_y: np.ndarray
    threshold: float
    params: FeatureParams
    summary: str = "min"  # how a summary's sentence scores combine (chosen on the dev summaries)
    hard_relations: bool = False  # a named subject clash rejects like a missing fact (chosen on the dev summaries)

    @classmethod
    def from_spec(cls, spec: dict, source: str = "support.json") -> "SupportModel":
        try:
            trees = TreeModel(spec["trees"], FEATURES, source, TRAINER)
            curve = spec["calibration"]
            return cls(trees, np.asarray(curve["x"], dtype=float), np.asarray(curve["y"], dtype=float),
                       float(spec["threshold"]), FeatureParams(**spec.get("feature_params", {})),
                       str(spec.get("summary", "min")), bool(spec.get("hard_relations", False)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: not a support model this code can read ({exc})",
                             hint=f"run 'make train-verifier' ({TRAINER})") from None

    def raw(self, rows: np.ndarray) -> np.ndarray:
        """The trees' summed leaves (log-odds before calibration)."""
        return self.trees.score(np.atleast_2d(rows)) if len(rows) else np.zeros(0)

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """Calibrated probability that each row's claim is supported by its evidence."""
        return np.interp(self.raw(rows), self.curve_x, self.curve_y)


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> SupportModel:
    """The model file, read once per process."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: no support model", hint=f"run 'make train-verifier' ({TRAINER})") from None
    except json.JSONDecodeError as err:
        raise ModelError(f"{path}: invalid JSON at line {err.lineno}: {err.msg}") from None
    return SupportModel.from_spec(spec, path.name)
