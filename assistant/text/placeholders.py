"""Tokenizer placeholders in machine-written text: the word a model could not write, not a word of the text.

Summarisers and language models print their vocabulary's unknown token where a rare word should be
("UNK", "<unk>", "[UNK]", "@@UNK@@") and sometimes leak other special tokens ("</s>", "<|endoftext|>").
Such a token claims nothing, so a checker should treat it as an unknown word: no evidence for or against.
``mask_placeholders`` turns each into a gap ("…"), which splits a name or a quotation around it as an
elided word would, and which word keys, n-grams and content words ignore.
"""

from __future__ import annotations

import re

GAP = "…"
# The unknown token in the spellings tokenizers use (bare, <angle>, [square], @@AllenNLP@@), and any other
# special token in angle brackets: <word>, </word>, <|word|> (never prose; an HTML tag claims nothing either).
PLACEHOLDER = re.compile(
    r"(?<![\w<\[@|])(?:(?i:<unk>|\[unk\]|@@unk@@|unk)|</?\|?[A-Za-z_]+\|?>)(?![\w>\]@|])")


def mask_placeholders(text: str) -> str:
    """The text with every tokenizer placeholder replaced by ``GAP`` (unchanged when it has none)."""
    return PLACEHOLDER.sub(GAP, text) if "<" in text or "unk" in text.lower() else text
