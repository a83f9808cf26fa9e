"""Screening of article text that addresses the reader's AI rather than reporting news (prompt injection).

Such sentences are never quoted in an answer and are blanked out of prompts: the prompt's fence is the
first defence, this the second. Text only, no models, so every layer that shows article text can use it.
"""

from __future__ import annotations

import re

from .sentences import split_sentences

_INSTRUCTION_LIKE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|directions)\b"
    r"|\b(?:system prompt|you are now|new instructions|as an ai|language model)\b"
    # A role prefix, as a chat transcript marks who speaks ("System: ...", "[assistant]:", "### User:").
    r"|^[\s\"'“#*<\[(|]*(?:system|assistant|developer|user)(?:\s+(?:message|prompt|note|override))?[\s|>\])]*:"
    r"|\b(?:developer|jailbreak)\s+mode\b"
    r"|\b(?:reply|respond|answer|say|output|print|write)\s+(?:only\s+|just\s+|exactly\s+)?(?:with\s+)?[\"'“]?[A-Z]{4,}\b",
    re.IGNORECASE | re.DOTALL | re.MULTILINE,
)
REDACTED = "(instruction-like text removed)"


def instruction_like(text: str) -> bool:
    """Whether a sentence reads as an instruction to an AI system (a prompt-injection attempt)."""
    return bool(_INSTRUCTION_LIKE.search(text))


def clean_sentences(text: str) -> list[str]:
    """A passage's sentences with whitespace collapsed; instruction-like ones left out."""
    return [s for s in (" ".join(x.split()) for x in split_sentences(text)) if s and not instruction_like(s)]


def redact(text: str) -> str:
    """The passage text with instruction-like sentences replaced by a marker (for prompts)."""
    out = []
    for sentence in split_sentences(text):
        out.append(REDACTED if instruction_like(sentence) else " ".join(sentence.split()))
    return " ".join(out)
