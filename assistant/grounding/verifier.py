"""Check each answer sentence against the passages it cites: one verdict with a score and reasons.

A sentence is supported when (1) it cites a valid passage, (2) every number, date, proper name and
quotation in it occurs in the cited passages (the hard checks: a failure is a reason that rejects it
whatever else holds), and (3) either the rule -- its MiniLM embedding is within ``similarity`` of a
window of one or two passage sentences -- or, when the learned model is on, the support model (trees over
meaning, wording, entity, relation, negation and splice features, ``support_features``, calibrated to a
probability) scores it at least the threshold. The reasons name what differs from the passage.

``make_verifier`` picks between them from the settings: ``verify`` and ``check`` always use the learned
model; answers, briefs and chat use ``answer.verifier``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..core.settings import Settings

from ..index.embedder import Embedder
from ..index.vectors import UnitVectors
from .citations import CitedSentence, strip_markers
from .evidence import EvidenceSet
from .facts import evidence_text, lexical_support, missing, missing_facts, passage_windows
from .static import load_static
from .support import SupportModel, load_model
from .support_features import FEATURES, Analysis, FeatureMaker, best_windows, short

DEFAULT_SIMILARITY = 0.45  # the rule's threshold (answer.support_similarity)
RULE_WINDOWS = 8  # windows embedded with MiniLM per sentence under the rule
__all__ = ["Verdict", "Verifier", "evidence_text", "lexical_support", "make_verifier", "missing_facts",
           "passage_windows"]
_EVIDENCE_CACHE = 64


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported, its calibrated support score (0-1), the problems found, and its
    best window and its similarity. ``reasons`` is empty for a supported sentence unless it also cited a passage
    number that does not exist."""

    supported: bool
    reasons: list[str] = field(default_factory=list)
    similarity: float = 0.0
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    window: str = ""  # the evidence window closest to the sentence: what a person reads to judge it


def explain(analysis: Analysis, score: float, threshold: float) -> list[str]:
    """Why the model doubts a sentence, most specific first, ending with the closest passage text."""
    reasons = []
    if analysis.roles and analysis.roles.message:
        reasons.append(analysis.roles.message)
    if analysis.negation_diff:
        reasons.append("has a negation the passage does not" if analysis.negation_diff > 0
                       else "drops a negation the passage has")
    if analysis.modal_diff:
        reasons.append("hedges (may, could, plans …) where the passage states it" if analysis.modal_diff > 0
                       else "states as done what the passage only hedges (may, could, plans …)")
    if analysis.value("entity_pairs_apart") > 0:
        reasons.append("puts together names that no passage sentence mentions together")
    reasons.append(f"support score {score:.2f} is below {threshold:.2f}; the closest passage says "
                   f"“{short(analysis.best)}”")
    return reasons


class Verifier:
    """Sentence-level support checks; prepared evidence and text vectors are cached across calls.

    ``learned`` (a ``UnitVectors`` over ``static.StaticEmbedder``) turns the support model on; without it the
    rule applies, embedding with MiniLM only the ``RULE_WINDOWS`` windows sharing the most content words.
    """

    def __init__(self, embedder: Embedder | UnitVectors, threshold: float | None = None,
                 similarity: float = DEFAULT_SIMILARITY, learned: UnitVectors | None = None,
                 model: SupportModel | None = None) -> None:
        self.vectors = UnitVectors.of(embedder)
        self.similarity = similarity
        self.model = (model or load_model()) if learned is not None else None
        if self.model is None:
            self.threshold = similarity
        else:
            self.threshold = self.model.threshold if threshold is None else threshold
        self.features = FeatureMaker(learned, self.model.params) if self.model is not None else None
        self._evidence: OrderedDict[tuple[str, ...], EvidenceSet] = OrderedDict()

    @property
    def learned(self) -> bool:
        return self.model is not None

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
                                  verdict.features, verdict.window)
            out.append(verdict)
        return out

    def check_many(self, claims: Sequence[tuple[str, Sequence[str]]]) -> list[Verdict]:
        """Verdicts for (sentence, cited passage texts) pairs, embedding and parsing everything new in one batch."""
        texts = [strip_markers(sentence) for sentence, _ in claims]
        todo = [i for i, (text, (_, cited)) in enumerate(zip(texts, claims)) if cited and text.strip()]
        mine, evidence = [texts[i] for i in todo], [self._evidence_for(claims[i][1]) for i in todo]
        found = self._learned(mine, evidence) if self.model is not None else self._rule(mine, evidence)
        verdicts = [Verdict(False, ["cites no passage" if not cited else "has no words to check"])
                    for _, cited in claims]
        for i, verdict in zip(todo, found):
            verdicts[i] = verdict
        return verdicts

    def _rule(self, texts: list[str], evidence: list[EvidenceSet]) -> list[Verdict]:
        """Hard checks, then the MiniLM similarity of the closest window against ``similarity``."""
        chosen = [e.closest(e.read(t)[1], RULE_WINDOWS) for t, e in zip(texts, evidence)]
        out = []
        for text, e, (window, sim, _) in zip(texts, evidence, best_windows(self.vectors, texts, chosen)):
            reasons = missing(text, e.facts)
            if sim < self.similarity:
                reasons.append(f"similarity {sim:.3f} is below {self.similarity:.3f}; the closest passage says "
                               f"“{short(window.text)}”")
            out.append(Verdict(not reasons, reasons, round(sim, 4), round(min(max(sim, 0.0), 1.0), 4),
                               window=window.text))
        return out

    def _learned(self, texts: list[str], evidence: list[EvidenceSet]) -> list[Verdict]:
        """Hard checks, then the support model's calibrated score against the threshold."""
        analyses = self.features.analyse(texts, evidence) if texts else []
        scores = self.model.probability(np.vstack([a.row for a in analyses])) if analyses else []
        out = []
        for analysis, score in zip(analyses, map(float, scores)):
            hard = [*analysis.hard, *(analysis.relation if self.model.hard_relations else [])]
            supported = not hard and score >= self.threshold
            reasons = hard if hard or supported else explain(analysis, score, self.threshold)
            features = dict(zip(FEATURES, map(float, analysis.row)))
            out.append(Verdict(supported, reasons, round(analysis.value("similarity"), 4), round(score, 4), features,
                               analysis.best))
        return out

    def _evidence_for(self, cited: Sequence[str]) -> EvidenceSet:
        key = tuple(cited)
        if key in self._evidence:
            self._evidence.move_to_end(key)
        else:
            self._evidence[key] = EvidenceSet(cited)
            while len(self._evidence) > _EVIDENCE_CACHE:
                self._evidence.popitem(last=False)
        return self._evidence[key]


def make_verifier(settings: "Settings", embedder: Embedder | UnitVectors, learned: bool | None = None) -> Verifier:
    """The verifier the settings ask for (``learned=None``: ``answer.verifier``); ``verify`` and ``check``
    pass ``learned=True``."""
    use = settings.answer.verifier == "learned" if learned is None else learned
    static = UnitVectors(load_static(settings.embed.models_dir)) if use else None
    return Verifier(embedder, settings.answer.support_threshold, settings.answer.support_similarity, static)
