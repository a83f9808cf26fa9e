"""Sentence vectors: the static wordpiece table, the per-chunk sentence index, and its place in the sidecar."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import make_settings

from assistant.core.settings import load_settings
from assistant.index.embedder import make_embedder, wordpiece_tokenizer
from assistant.index.sentence_vectors import (
    OFFSETS_FILE,
    VECTORS_FILE,
    SentenceVectors,
    wordpiece_table,
)

MODELS = load_settings().embed.models_dir
CHUNKS = [
    "The striker scored twice in the second half. The fans sang until the final whistle.",
    "",  # a chunk with no sentences gets no rows and matches nothing
    "Interest rates rose again on Tuesday. Bond markets fell as inflation stayed high. Analysts expect more.",
]


@pytest.fixture(scope="module")
def vectors(tmp_path_factory) -> SentenceVectors:
    folder = tmp_path_factory.mktemp("sentences")
    SentenceVectors.build(CHUNKS, MODELS, folder)
    return SentenceVectors.load(folder, MODELS)


def test_the_table_is_minilm_on_one_wordpiece_at_a_time() -> None:
    table = wordpiece_table(MODELS)
    assert table.shape == (30522, 384)
    # "goal" is one wordpiece: its row is the model's (unnormalised) pooled output for "goal" alone.
    (piece,) = wordpiece_tokenizer(MODELS).encode("goal", add_special_tokens=False).ids
    row = table[piece] / np.linalg.norm(table[piece])
    assert np.allclose(row, make_embedder(load_settings()).embed(["goal"])[0], atol=1e-4)


def test_each_chunk_owns_its_sentences(vectors: SentenceVectors) -> None:
    assert list(vectors.offsets) == [0, 2, 2, 5]
    assert vectors.vectors.shape == (5, 384)
    assert np.allclose(np.linalg.norm(np.asarray(vectors.vectors, dtype=np.float32), axis=1), 1.0, atol=1e-2)


def test_a_chunk_scores_by_its_best_sentence(vectors: SentenceVectors) -> None:
    queries = vectors.embed(["Why did bond markets fall?", "Who scored for the team?"])
    match = vectors.best_match(queries, [0, 1, 2])
    assert match.shape == (2, 3)
    assert match[0, 2] > match[0, 0] and match[1, 0] > match[1, 2]  # each question finds its topic
    assert list(match[:, 1]) == [0.0, 0.0]  # the empty chunk
    # the score is exactly the best single sentence's: the bond sentence, not the chunk's other two
    own = np.asarray(vectors.vectors[2:5], dtype=np.float32) @ queries[0]
    assert match[0, 2] == pytest.approx(own.max()) and own.argmax() == 1
    # rows can come in any order and repeat
    assert np.allclose(vectors.best_match(queries, [2, 0, 2]), match[:, [2, 0, 2]])


def test_rare_wordpieces_weigh_more(vectors: SentenceVectors) -> None:
    """'the' occurs in three of the five sentences, so it counts for little against 'whistle'."""
    tok = wordpiece_tokenizer(MODELS)
    (the,), (whistle,) = (tok.encode(w, add_special_tokens=False).ids for w in ("the", "whistle"))
    weights = vectors._weights
    assert weights[whistle] > weights[the] > 0
    assert weights[101] == weights[102] == 0.0  # [CLS] and [SEP] never count


def test_the_sidecar_carries_them_and_an_older_sidecar_is_rebuilt(index_copy: Path) -> None:
    from assistant.index.sidecar import BM25Index, refresh_sidecar
    from assistant.index.store import Store

    settings = make_settings(index_copy)
    store = Store(settings)
    folder = refresh_sidecar(store, settings)
    index = BM25Index(store, settings)
    sentences = index.sentences
    assert len(sentences.offsets) == len(index.ids) + 1
    assert sentences.vectors.shape[0] == sentences.offsets[-1] > len(index.ids)
    # A sidecar written before sentence vectors existed: same generation, no vector files.
    (folder / VECTORS_FILE).unlink()
    (folder / OFFSETS_FILE).unlink()
    assert refresh_sidecar(store, settings) == folder
    assert (folder / VECTORS_FILE).is_file() and (folder / OFFSETS_FILE).is_file()
    shutil.rmtree(folder)
    assert BM25Index(store, settings).sentences.offsets[-1] == sentences.offsets[-1]
