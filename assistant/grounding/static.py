"""The support model's text vectors: MiniLM's static wordpiece vectors (``index.sentence_vectors``) weighted
by the wordpiece frequencies of the training corpus, with the corpus's common direction removed (SIF), both
shipped beside the model (``support-vectors.npz``).

A claim and every window of its evidence then cost a table lookup instead of a MiniLM run (about 35 ms per
sentence on the shared two cores), which is what lets the learned verifier read whole articles. Without the
common direction unrelated sentences score ~0.85 (median, MultiHop-RAG sentence vs another article's
windows) against ~0.9 for the sentence's own article; with it removed, 0.11 against 0.38.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core.errors import ModelError
from ..index.sentence_vectors import sif_weights, static_vectors, wordpiece_table

VECTORS_PATH = Path(__file__).with_name("support-vectors.npz")


class StaticEmbedder:
    """``embed(texts)`` -> unit rows, like an ``Embedder``, so ``UnitVectors`` can cache it."""

    name = "minilm-static-sif"

    def __init__(self, models_dir: Path, weights: np.ndarray, common: np.ndarray | None = None) -> None:
        from ..index.embedder import wordpiece_tokenizer

        self.table = wordpiece_table(models_dir)
        self.tokenizer = wordpiece_tokenizer(models_dir)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.common = None if common is None else np.asarray(common, dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = static_vectors(texts, self.table, self.tokenizer, self.weights)
        if self.common is not None:
            rows = rows - np.outer(rows @ self.common, self.common)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)

    def save(self, path: Path = VECTORS_PATH) -> None:
        np.savez(path, weights=self.weights.astype(np.float16), common=self.common.astype(np.float32))


def fit_static(texts: Sequence[str], models_dir: Path) -> StaticEmbedder:
    """Wordpiece weights from a corpus's own text, then its sentences' first principal direction (what
    ``bench/train_verifier.py`` ships)."""
    from ..index.embedder import wordpiece_tokenizer
    from ..text.sentences import split_sentences

    tokenizer = wordpiece_tokenizer(models_dir)
    flat = np.fromiter((i for e in tokenizer.encode_batch(list(texts), add_special_tokens=False) for i in e.ids),
                       dtype=np.int64)
    weights = sif_weights(flat, tokenizer.get_vocab_size(), tokenizer).astype(np.float16)
    plain = StaticEmbedder(models_dir, weights)
    rows = plain.embed([s for text in texts for s in split_sentences(text)])
    return StaticEmbedder(models_dir, weights, np.linalg.svd(rows, full_matrices=False)[2][0])


@lru_cache(maxsize=2)
def load_static(models_dir: Path, path: Path = VECTORS_PATH) -> StaticEmbedder:
    """The static embedder with the shipped weights and common direction, built once per process."""
    try:
        with np.load(path) as saved:
            weights, common = saved["weights"], saved["common"]
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise ModelError(f"{path}: no usable static vectors ({exc})",
                         hint="run 'make train-verifier' (bench/train_verifier.py)") from None
    return StaticEmbedder(Path(models_dir), weights, common)
