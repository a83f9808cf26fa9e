"""Sentence vectors for the re-ranker: which single sentence of a passage says what the question asks.

Embedding every sentence with MiniLM would more than double ingest time (measured on the corpus's
candidate passages: 47,865 sentences took 383 s against 314 s for their 5,652 chunks). Instead each
wordpiece gets one fixed vector, MiniLM's output for that wordpiece alone (model2vec's recipe), computed
once from the shipped ONNX model (~20 s on 2 cores) and kept beside it. A text's vector is then the mean
of its wordpieces' vectors, rarer wordpieces weighing more (a / (a + p), with p each wordpiece's share of
the index's own text): a lookup, so the whole index's sentences take seconds, and questions microseconds.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..text.sentences import sentence_spans

TABLE_FILE = "static-wordpieces.npy"
VECTORS_FILE = "sentences.npy"  # one float16 row per sentence, unit length
OFFSETS_FILE = "sentence-offsets.npy"  # chunk row r owns rows offsets[r]:offsets[r + 1]
WEIGHTS_FILE = "wordpiece-weights.npy"
SIF_A = 1e-3
BLOCK = 5000  # sentences tokenised / summed at a time
_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")  # never counted in a text's vector


def wordpiece_table(models_dir: Path) -> np.ndarray:
    """Every wordpiece's static vector (vocabulary x 384), distilled on first use and cached."""
    from .embedder import _session, install_minilm, wordpiece_tokenizer

    folder = install_minilm(models_dir)
    path = folder / TABLE_FILE
    if path.is_file():
        return np.load(path)
    session, tok = _session(folder / "onnx" / "model.onnx"), wordpiece_tokenizer(models_dir)
    size, cls, sep = tok.get_vocab_size(), tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    parts = []
    for start in range(0, size, 512):
        ids = np.arange(start, min(size, start + 512))
        batch = np.stack([np.full(len(ids), cls), ids, np.full(len(ids), sep)], axis=1).astype(np.int64)
        out = session.run(None, {"input_ids": batch, "attention_mask": np.ones_like(batch),
                                 "token_type_ids": np.zeros_like(batch)})[0]
        parts.append(out.mean(axis=1))  # the sentence-transformers pooling of "[CLS] piece [SEP]"
    table = np.concatenate(parts).astype(np.float32)
    fd, tmp = tempfile.mkstemp(prefix=".static-", suffix=".npy", dir=folder)
    with os.fdopen(fd, "wb") as handle:
        np.save(handle, table)
    os.replace(tmp, path)  # another process may be building it too; either copy is whole
    return table


class SentenceVectors:
    """The sentence vectors of an index's chunks, stored in (and rebuilt with) the BM25 sidecar."""

    def __init__(self, table: np.ndarray, tokenizer, weights: np.ndarray, vectors: np.ndarray,
                 offsets: np.ndarray) -> None:
        self._table, self._tok, self._weights = table, tokenizer, weights
        self.vectors, self.offsets = vectors, offsets

    @staticmethod
    def build(texts: Sequence[str], models_dir: Path, folder: Path) -> None:
        """Write the vectors of every chunk's sentences (in chunk row order) and the wordpiece weights."""
        from .embedder import wordpiece_tokenizer

        table, tok = wordpiece_table(models_dir), wordpiece_tokenizer(models_dir)
        sentences, offsets = [], [0]
        for text in texts:
            sentences.extend(text[a:b] for a, b in sentence_spans(text))
            offsets.append(len(sentences))
        # Tokenised in blocks and kept as one flat array: tokenizers' per-text objects are large.
        pieces, lengths = [np.zeros(0, dtype=np.int64)], []
        for start in range(0, len(sentences), BLOCK):
            encoded = [e.ids for e in tok.encode_batch(sentences[start:start + BLOCK], add_special_tokens=False)]
            lengths.extend(len(ids) for ids in encoded)
            pieces.append(np.fromiter((i for ids in encoded for i in ids), dtype=np.int64))
        flat, ends = np.concatenate(pieces), np.cumsum([0, *lengths])
        weights = sif_weights(flat, len(table), tok)
        vectors = np.zeros((len(sentences), table.shape[1]), dtype=np.float16)
        for start in range(0, len(sentences), BLOCK):  # bounded memory: BLOCK float32 rows at a time
            stop = min(start + BLOCK, len(sentences))
            vectors[start:stop] = _mean_vectors(flat[ends[start]:ends[stop]], np.diff(ends[start:stop + 1]),
                                                table, weights)
        np.save(folder / VECTORS_FILE, vectors)
        np.save(folder / OFFSETS_FILE, np.array(offsets, dtype=np.int64))
        np.save(folder / WEIGHTS_FILE, weights)

    @classmethod
    def load(cls, folder: Path, models_dir: Path) -> SentenceVectors:
        from .embedder import wordpiece_tokenizer

        return cls(wordpiece_table(models_dir), wordpiece_tokenizer(models_dir), np.load(folder / WEIGHTS_FILE),
                   np.load(folder / VECTORS_FILE, mmap_mode="r"), np.load(folder / OFFSETS_FILE))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of short texts (a question and its claims), in the sentences' space."""
        return static_vectors(texts, self._table, self._tok, self._weights)

    def best_match(self, queries: np.ndarray, rows: Sequence[int]) -> np.ndarray:
        """Per query (row) and chunk row (column): the highest cosine of any of the chunk's sentences."""
        spans = [(int(self.offsets[r]), int(self.offsets[r + 1])) for r in rows]
        picked = np.concatenate([np.arange(a, b) for a, b in spans]) if spans else np.zeros(0, dtype=np.int64)
        out = np.zeros((len(queries), len(spans)))
        if picked.size == 0:
            return out
        sims = queries @ np.asarray(self.vectors[picked], dtype=np.float32).T
        starts = np.cumsum([0] + [b - a for a, b in spans[:-1]])
        has = np.array([b > a for a, b in spans])
        out[:, has] = np.maximum.reduceat(sims, starts[has], axis=1)
        return out


def sif_weights(flat: np.ndarray, size: int, tokenizer) -> np.ndarray:
    """Each wordpiece's weight a / (a + p) from its share p of the wordpieces ``flat`` (special ones weigh 0)."""
    counts = np.bincount(flat, minlength=size)
    weights = (SIF_A / (SIF_A + (counts + 1.0) / (counts.sum() + size))).astype(np.float32)
    weights[[tokenizer.token_to_id(token) for token in _SPECIAL]] = 0.0
    return weights


def static_vectors(texts: Sequence[str], table: np.ndarray, tokenizer, weights: np.ndarray) -> np.ndarray:
    """Unit vectors of texts from the wordpiece table: a lookup, microseconds per sentence."""
    encoded = [e.ids for e in tokenizer.encode_batch(list(texts), add_special_tokens=False)]
    flat = np.array([i for ids in encoded for i in ids], dtype=np.int64)
    return _mean_vectors(flat, np.array([len(ids) for ids in encoded]), table, weights)


def _mean_vectors(flat: np.ndarray, lengths: np.ndarray, table: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of each text's wordpiece vectors (``flat`` holds the texts' wordpieces one after another),
    scaled to unit length (zero for an empty text): one sparse (texts x vocabulary) product, ~5x faster than
    gathering every wordpiece's vector."""
    from scipy.sparse import csr_matrix

    indptr = np.concatenate([[0], np.cumsum(lengths)])
    counts = csr_matrix((weights[flat], flat, indptr), shape=(len(lengths), len(table)))
    out = np.asarray(counts @ table, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
