"""Sentence centrality over all articles: continuous LexRank (Erkan & Radev, 2004) on the cosine graph of
the sentence vectors already computed, by power iteration.

A sentence is central when many sentences, of its own article and of the others, say something like it;
unlike a centroid, the graph lets several sub-stories each have their central sentences. Scaled so the
most central sentence scores 1.
"""

from __future__ import annotations

import numpy as np

DAMPING = 0.85  # LexRank's and PageRank's usual damping: the chance of following an edge
_TOLERANCE = 1e-6
_MAX_STEPS = 100


def lexrank(vectors: np.ndarray, damping: float = DAMPING) -> np.ndarray:
    """Stationary scores of the random walk on the sentence graph (edge weight = positive cosine, no
    self-loops), divided by the largest; an empty input gives an empty array."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.ones(1)
    weights = np.clip(vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(weights, 0.0)
    rows = weights.sum(axis=1, keepdims=True)
    transition = np.where(rows > 0, weights / np.maximum(rows, 1e-12), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(_MAX_STEPS):
        new = (1 - damping) / n + damping * (transition.T @ scores)
        done = np.abs(new - scores).sum() < _TOLERANCE
        scores = new
        if done:
            break
    return scores / scores.max()
