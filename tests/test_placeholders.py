"""Tokenizer placeholders are gaps: an unknown word, not a word of the text (``text.placeholders``)."""

from __future__ import annotations

import pytest

from assistant.text.placeholders import GAP, mask_placeholders


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("John UNK said so.", f"John {GAP} said so.", id="bare-upper"),
        pytest.param("the unk won", f"the {GAP} won", id="bare-lower"),
        pytest.param("The [UNK] won.", f"The {GAP} won.", id="wordpiece"),
        pytest.param("<unk> Smith", f"{GAP} Smith", id="sentencepiece"),
        pytest.param("a @@UNK@@ b", f"a {GAP} b", id="allennlp"),
        pytest.param("end </s>", f"end {GAP}", id="end-of-sequence"),
        pytest.param("x <|endoftext|>", f"x {GAP}", id="gpt-special"),
        pytest.param("UNK UNK", f"{GAP} {GAP}", id="repeated"),
    ],
)
def test_placeholders_become_gaps(text: str, masked: str) -> None:
    assert mask_placeholders(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("The bunker was unknown to Punk fans.", id="words-containing-unk"),
        pytest.param("Revenue rose [1] and fell [2].", id="citation-markers"),
        pytest.param("Ratings of 3<5 and 7>2 held.", id="comparisons"),
    ],
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert mask_placeholders(text) == text
