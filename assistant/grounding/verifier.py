"""Check each answer sentence against the passages it cites: one verdict with a score and reasons.

A sentence is supported when (1) it cites a valid passage, (2) every number, date, proper name and
quotation in it occurs in the cited passages (the hard checks: a failure is a reason that rejects it
whatever else holds), and (3) the support model -- trees over meaning, wording, entity, relation,
negation and splice features (``support_features``), calibrated to a probability -- scores it at least
the threshold. The reasons name what differs from the passage, so a person can act on them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..index.embedder import Embedder
from ..index.vectors import UnitVectors
from .citations import CitedSentence, strip_markers
from .evidence import EvidenceSet
from .facts import evidence_text, lexical_support, missing_facts, passage_windows
from .support import SupportModel, load_model
from .support_features import FEATURES, Analysis, FeatureMaker

DEFAULT_SIMILARITY = 0.45  # the former rule's threshold (answer.support_similarity)
__all__ = ["Verdict", "Verifier", "evidence_text", "lexical_support", "missing_facts", "passage_windows"]
_EVIDENCE_CACHE = 64
_CLASHES = ("subject_clash", "swapped", "negation_clash")
_QUOTE_WORDS = 25


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported, its calibrated support score (0-1), the problems found, and its
    best window similarity. ``reasons`` is empty for a supported sentence unless it also cited a passage
    number that does not exist."""

    supported: bool
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


def _short(text: str) -> str:
    words = text.split()
    return " ".join(words) if len(words) <= _QUOTE_WORDS else " ".join(words[:_QUOTE_WORDS]) + " …"


def explain(analysis: Analysis, score: float, threshold: float) -> list[str]:
    """Why the model doubts a sentence, most specific first, ending with the closest passage text."""
    reasons = []
    if analysis.roles and analysis.roles.message:
        reasons.append(analysis.roles.message)
    for text, label in analysis.missing_entities:
        reasons.append(f"names {text} ({label.lower()}), which the cited passages do not mention")
    if analysis.negation_diff:
        reasons.append("has a negation the passage does not" if analysis.negation_diff > 0
                       else "drops a negation the passage has")
    if analysis.modal_diff:
        reasons.append("hedges (may, could, plans …) where the passage states it" if analysis.modal_diff > 0
                       else "states as done what the passage only hedges (may, could, plans …)")
    if analysis.value("entity_pairs_apart") > 0:
        reasons.append("puts together names that no passage sentence mentions together")
    reasons.append(f"support score {score:.2f} is below {threshold:.2f}; the closest passage says "
                   f"“{_short(analysis.best)}”")
    return reasons


class Verifier:
    """Sentence-level support checks; passage windows, their vectors and parses are cached across calls.

    Only the ``max_windows`` windows sharing the most content words with a sentence are embedded for it:
    MiniLM manages about 60 texts/s on two cores, and the best window is almost always among them.
    """

    def __init__(self, embedder: Embedder | UnitVectors, threshold: float | None = None,
                 max_windows: int | None = None, model: SupportModel | None = None,
                 similarity: float = DEFAULT_SIMILARITY) -> None:
        self.vectors = UnitVectors.of(embedder)
        self.similarity = similarity
        self.model = model or load_model()
        self.threshold = self.model.threshold if threshold is None else threshold
        params = self.model.params
        if max_windows is not None:
            params = replace(params, max_windows=max_windows)
        self.features = FeatureMaker(self.vectors, params)
        self._evidence: OrderedDict[tuple[str, ...], EvidenceSet] = OrderedDict()

    def check(self, sentence: str, cited_passages: Sequence[str]) -> Verdict:
        """Verdict for one sentence given the texts of the passages it cites."""
        return self.check_many([(sentence, cited_passages)])[0]

    def check_answer(self, sentences: Sequence[CitedSentence], passages: Sequence[str]) -> list[Verdict]:
        """Verdicts for parsed answer sentences; ``passages[n - 1]`` is the text of citation [n]."""
        verdicts = self.check_many([(s.text, [passages[n - 1] for n in s.citations]) for s in sentences])
        out = []
        for sent, verdict in zip(sentences, verdicts):
            if sent.invalid:
                cited = ", ".join(f"[{n}]" for n in sent.invalid)
                note = f"cites {cited}, not among the {len(passages)} passages"
                verdict = Verdict(verdict.supported, [*verdict.reasons, note], verdict.similarity, verdict.score,
                                  verdict.features)
            out.append(verdict)
        return out

    def check_many(self, claims: Sequence[tuple[str, Sequence[str]]]) -> list[Verdict]:
        """Verdicts for (sentence, cited passage texts) pairs, embedding and parsing everything new in one batch."""
        texts = [strip_markers(sentence) for sentence, _ in claims]
        todo = [i for i, (text, (_, cited)) in enumerate(zip(texts, claims)) if cited and text.strip()]
        analyses = self.features.analyse([texts[i] for i in todo], [self._evidence_for(claims[i][1]) for i in todo])
        scores = self.model.probability(np.vstack([a.row for a in analyses])) if analyses else []
        verdicts = [Verdict(False, ["cites no passage" if not cited else "has no words to check"])
                    for _, cited in claims]
        for i, analysis, score in zip(todo, analyses, scores):
            verdicts[i] = self._verdict(analysis, float(score))
        return verdicts

    def _verdict(self, analysis: Analysis, score: float) -> Verdict:
        """The model accepts on its score; below it, a sentence close in meaning to a window (the former
        rule) still passes unless the parse shows a clash (another subject, swapped roles, a flipped negation):
        on the FRANK dev summaries the trees alone rejected too many correct paraphrases."""
        clash = any(analysis.value(f) > 0 for f in _CLASHES)
        close = analysis.value("similarity") >= self.similarity and not clash
        supported = not analysis.hard and (score >= self.threshold or close)
        reasons = list(analysis.hard)
        if not analysis.hard and not supported:
            reasons += explain(analysis, score, self.threshold)
        features = dict(zip(FEATURES, map(float, analysis.row)))
        return Verdict(supported, reasons, round(analysis.value("similarity"), 4), round(score, 4), features)

    def _evidence_for(self, cited: Sequence[str]) -> EvidenceSet:
        key = tuple(cited)
        if key in self._evidence:
            self._evidence.move_to_end(key)
        else:
            self._evidence[key] = EvidenceSet(cited)
            while len(self._evidence) > _EVIDENCE_CACHE:
                self._evidence.popitem(last=False)
        return self._evidence[key]

