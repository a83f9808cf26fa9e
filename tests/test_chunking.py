"""Chunks fit the embedder (≤ 254 wordpieces + [CLS]/[SEP]) and never cut a sentence."""

from __future__ import annotations

import json
import re

import pytest
from conftest import MINI_CORPUS, SAMPLE

from assistant.core.settings import load_settings
from assistant.ingest.chunking import Chunker


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(load_settings().embed.models_dir, max_wordpieces=254, overlap_wordpieces=0)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_chunks_fit_and_keep_every_sentence(chunker: Chunker) -> None:
    bodies = [a["body"] for a in json.loads(MINI_CORPUS.read_text())]
    for body in bodies:
        chunks = chunker.split(body)
        assert all(chunker.count(c) <= 254 for c in chunks)
        # Full chunks: most of the budget is used (metadata is not in the text).
        assert sum(chunker.count(c) for c in chunks[:-1]) / max(1, len(chunks) - 1) > 180
        joined = "".join(_squash(c) for c in chunks)
        assert joined == _squash(body)  # nothing lost, nothing repeated
        for sentence in re.split(r"(?<=[.!?”])\s+|\n+", body):
            if 20 < len(sentence) and chunker.count(sentence) < 200:
                assert any(_squash(sentence) in _squash(c) for c in chunks), sentence


def test_overlong_sentence_is_cut_not_truncated(chunker: Chunker) -> None:
    body = " ".join(f"word{i}" for i in range(900))  # one 'sentence' of ~2,700 wordpieces
    chunks = chunker.split(body)
    assert len(chunks) > 1 and all(chunker.count(c) <= 254 for c in chunks)
    assert "".join(_squash(c) for c in chunks) == _squash(body)


def test_sample_is_small(chunker: Chunker) -> None:
    text = SAMPLE.read_text()
    assert 2 <= len(chunker.split(text)) <= 4


class _ExactChunker(Chunker):
    """Encodes every text it measures whole, as the chunker did before its word-count shortcut and
    its per-word counts."""

    measured: list[str] = []

    def _measure(self, text: str) -> list[int]:
        self.measured.append(text)
        return self.wordpieces(text)

    def count(self, text: str) -> int:
        return len(self.wordpieces(text))


def test_long_texts_are_not_encoded_but_chunks_are_unchanged(chunker: Chunker) -> None:
    bodies = [a["body"] for a in json.loads(MINI_CORPUS.read_text())]
    exact = _ExactChunker(load_settings().embed.models_dir, max_wordpieces=254, overlap_wordpieces=0)
    assert [exact.split(body) for body in bodies] == [chunker.split(body) for body in bodies]
    assert any(len(t.split()) > 254 for t in exact.measured)  # long texts were there to skip


@pytest.mark.parametrize("text", [
    "Plain words, punctuation (and brackets) — dashes… and “quotes”.",
    "Accents: Zürich, São Paulo, Ångström; ligatures ﬁne; CAPITALS and MiXeD.",
    "CJK inside words: 東京Tokyo北京 and 한국어 text.",
    "Spaces\u00a0of\u2009every\u3000kind\tand\nnew lines\r\n",
    "Separators that split differently: a\x0bb c\x0cd e\x1cf g\x85h i\u2028j k\u2029l",
    "Control and odd characters: zero\u200bwidth, soft\u00adhyphen, nul\x00char, replacement\ufffdchar",
    "A word over a hundred characters: " + "x" * 120 + " and emoji 🙂👍🏽 and U.S. 3.5% $1,000",
    "",
])
def test_count_is_the_tokenizers_count(chunker: Chunker, text: str) -> None:
    assert chunker.count(text) == len(chunker.wordpieces(text))
    assert chunker.count(text) == len(chunker.wordpieces(text))  # again, from the word cache
