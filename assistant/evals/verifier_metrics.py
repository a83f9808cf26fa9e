"""Scores of a support verifier on labelled claims or summaries: balanced accuracy, ROC AUC, Pearson with a
human score, the share of correct items accepted, and the share of each error type caught (numpy only).

FRANK summaries are judged as wholes: a summary's score combines its sentences' scores (``combine``) and
it is accepted when that reaches the threshold, the way an answer or brief keeps only verified sentences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

FRANK_ERRORS = ("RelE", "EntE", "CircE", "OutE", "CorefE", "LinkE", "GramE", "Other")
COMBINE = ("min", "mean")


def combine(scores: Sequence[float], how: str) -> float:
    """A summary's score from its sentences': the weakest sentence ("min") or the average ("mean")."""
    if not scores:
        return 0.0
    return float(min(scores)) if how == "min" else float(np.mean(scores))


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """The probability that a positive outscores a negative (ties count half); None with one class only."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def pearson(a: Sequence[float], b: Sequence[float]) -> float | None:
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def balanced_accuracy(labels: Sequence[bool], accepted: Sequence[bool]) -> float | None:
    """Mean of the share of supported items accepted and the share of unsupported items rejected."""
    y, a = np.asarray(labels, dtype=bool), np.asarray(accepted, dtype=bool)
    if y.all() or not y.any():
        return None
    return float((a[y].mean() + (~a[~y]).mean()) / 2)


def claim_metrics(labels: Sequence[bool], scores: Sequence[float], accepted: Sequence[bool]) -> dict[str, Any]:
    """Metrics for claims labelled supported / unsupported, ``accepted`` being the verifier's decisions."""
    y, a = np.asarray(labels, dtype=bool), np.asarray(accepted, dtype=bool)
    return {"balanced_accuracy": balanced_accuracy(labels, accepted), "roc_auc": roc_auc(labels, scores),
            "supported_accepted": float(a[y].mean()) if y.any() else None,
            "unsupported_rejected": float((~a[~y]).mean()) if (~y).any() else None, "n": len(labels)}


def has_error(item: Mapping[str, Any], kind: str) -> bool:
    """Whether a FRANK summary has an error of ``kind`` (ignoring that type would raise its factuality)."""
    return float((item.get("error_types") or {}).get(kind, item["factuality"])) > item["factuality"]


def summary_metrics(items: Sequence[Mapping[str, Any]], scores: Sequence[float],
                    accepted: Sequence[bool]) -> dict[str, Any]:
    """FRANK-style metrics: each item has ``factuality`` (1.0 = correct) and ``error_types``, the factuality
    its sentences would have with that type of error ignored (so a type occurs when it is higher).
    ``scores`` rank the summaries (AUC, Pearson); ``accepted`` are the decisions."""
    correct = [item["factuality"] == 1.0 for item in items]
    caught = {}
    for kind in FRANK_ERRORS:
        rows = [not ok for item, ok in zip(items, accepted) if has_error(item, kind)]
        caught[kind] = float(np.mean(rows)) if rows else None
    wrong = [not ok for c, ok in zip(correct, accepted) if not c]
    right = [ok for c, ok in zip(correct, accepted) if c]
    return {"balanced_accuracy": balanced_accuracy(correct, accepted), "roc_auc": roc_auc(correct, scores),
            "pearson": pearson(scores, [item["factuality"] for item in items]),
            "correct_accepted": float(np.mean(right)) if right else None,
            "wrong_caught": float(np.mean(wrong)) if wrong else None, "n": len(items),
            "caught_by_error_type": caught}


def summaries_at(lines: Sequence[Sequence[tuple[float, bool]]], how: str, threshold: float) -> tuple[list[float], list[bool]]:
    """Summary scores and decisions from each summary's (score, passes the hard checks) per sentence: a
    summary is accepted when every sentence is (score at least the threshold, hard checks passed)."""
    scores = [combine([s for s, _ in sentences], how) for sentences in lines]
    accepted = [all(s >= threshold and ok for s, ok in sentences) for sentences in lines]
    return scores, accepted


def choose_threshold(items: Sequence[Mapping[str, Any]], lines: Sequence[Sequence[tuple[float, bool]]], how: str,
                     least_accepted: float) -> float:
    """The threshold with the best balanced accuracy among those accepting at least ``least_accepted`` of
    the correct summaries (the product's promise is not to drop true sentences wholesale)."""
    best, best_value = 0.5, -math.inf
    for t in sorted({round(s, 4) for sentences in lines for s, _ in sentences}):
        scores, accepted = summaries_at(lines, how, t)
        m = summary_metrics(items, scores, accepted)
        if (m["correct_accepted"] or 0) >= least_accepted and (m["balanced_accuracy"] or 0) > best_value:
            best, best_value = float(t), m["balanced_accuracy"] or 0
    return best
