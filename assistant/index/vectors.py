"""Unit-length text vectors, cached: the one embedding cache the verifier, the evidence scorer and briefs share.

A briefing's verifier reads mostly the sentences already embedded to rank them, and an answer's verifier
the sentences its scorer chose; one cache per run halves the embedding work, the slowest step on a CPU.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class UnitVectors:
    """Vectors scaled to length 1 (a dot product is then the cosine), remembered up to ``cache_size`` texts."""

    def __init__(self, embedder, cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self.cache_size = cache_size
        self._vectors: dict[str, np.ndarray] = {}

    @classmethod
    def of(cls, embedder) -> "UnitVectors":
        """``embedder`` itself when it already is a cache, else a new cache over it."""
        return embedder if isinstance(embedder, cls) else cls(embedder)

    @property
    def name(self) -> str:
        return getattr(self.embedder, "name", "embedder")

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The vectors of ``texts`` in order, embedding the new ones in one batch."""
        new = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if new:
            if len(self._vectors) + len(new) > self.cache_size:
                self._vectors.clear()
                new = list(dict.fromkeys(texts))
            got = np.asarray(self.embedder.embed(new), dtype=np.float32)
            got /= np.maximum(np.linalg.norm(got, axis=1, keepdims=True), 1e-12)
            self._vectors.update(zip(new, got))
        return [self._vectors[t] for t in texts]

    def alias(self, text: str, same_as: str) -> None:
        """Give ``text`` the vector of ``same_as`` (already embedded), e.g. a tidied sentence its raw form's."""
        if text not in self._vectors and same_as in self._vectors:
            self._vectors[text] = self._vectors[same_as]

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of ``texts`` as rows of one array (shape (0, 0) for no texts)."""
        return np.asarray(self.vectors(texts), dtype=np.float32) if texts else np.zeros((0, 0), dtype=np.float32)
