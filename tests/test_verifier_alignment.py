"""The token-alignment measurement (bench/verifier_alignment.py) on real static MiniLM wordpiece vectors."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.core.settings import load_settings
from assistant.grounding.static import load_static
from bench.verifier_alignment import SCORES, scores, static_tokens

ARTICLE = ["Apple sued Samsung over the design of its phones in 2011.", "The case went to trial in San Jose.",
           "A jury awarded Apple $1 billion."]


@pytest.fixture(scope="module")
def align():
    static = load_static(load_settings().embed.models_dir)
    encode = static_tokens(static)
    sentences = encode(ARTICLE)
    matrix = np.vstack([v for _, v in sentences])
    starts = np.cumsum([0, *(len(ids) for ids, _ in sentences)])[:-1]
    weights = static.weights.astype(np.float32)
    return lambda claim: dict(zip(SCORES, scores(encode([claim])[0], matrix, starts, weights)))


@pytest.mark.slow
def test_a_sentence_of_the_article_aligns_fully(align) -> None:
    got = align("A jury awarded Apple $1 billion.")
    assert got["sentence precision"] == pytest.approx(1.0, abs=1e-5)
    assert got["weakest content wordpiece"] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.slow
def test_one_foreign_name_is_the_weakest_wordpiece(align) -> None:
    got = align("A jury awarded Microsoft $1 billion.")
    assert got["weakest content wordpiece"] < 0.7 < got["sentence precision"]


@pytest.mark.slow
def test_two_adjacent_sentences_make_a_window(align) -> None:
    got = align("The trial in San Jose awarded Apple $1 billion.")
    assert got["window precision"] == pytest.approx(1.0, abs=1e-5)
    assert got["sentence precision"] < 0.95
