"""Word lemmas without a parse: one key for the forms of a word ("explores", "is exploring", "explored" ->
"explore"; "talks", "talked" -> "talk").

Word keys (``words.word_key``) already fold case, possessives and simple plurals; a lemma also folds tense,
so two texts saying the same in another tense or number compare equal. The rules are spaCy's own English
lemmatizer tables (its exceptions, suffix rules and lemma lists), read with no part of speech: a word's verb
reading first, then its noun reading, and a form is accepted only when the tables know it as a lemma (or as
an irregular form: "said", "went", "children"), else the word stays as it is. No word list is written here;
adjectives are left alone ("bigger" is not "big"), and derivations stay apart ("national" is not "nation").
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

_READINGS = ("verb", "noun")


@lru_cache(maxsize=1)
def _tables() -> list[tuple[dict[str, list[str]], list[tuple[str, str]], frozenset[str]]]:
    """(exceptions, suffix rules, known lemmas) per reading, from the pipeline's lemmatizer."""
    from .nlp import pipeline

    lookups = pipeline().get_pipe("lemmatizer").lookups
    exc, rules, index = (lookups.get_table(n) for n in ("lemma_exc", "lemma_rules", "lemma_index"))
    return [(dict(exc[pos]), [tuple(r) for r in rules[pos]], frozenset(index[pos])) for pos in _READINGS]


@lru_cache(maxsize=1 << 16)
def lemma(key: str) -> str:
    """The lemma of a word key (a lower-case word from ``words.word_key``): verb reading, then noun."""
    if not key.isalpha():
        return key  # numbers and codes stay as written
    for exceptions, rules, known in _tables():
        if key in exceptions:
            return exceptions[key][0]
        if key in known:
            return key
        for old, new in rules:
            if key.endswith(old) and (form := key[: len(key) - len(old)] + new) in known:
                return form
    return key


def lemmas(keys: Iterable[str]) -> list[str]:
    """The lemma of each word key, in order."""
    return [lemma(k) for k in keys]
