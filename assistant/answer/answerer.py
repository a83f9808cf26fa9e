"""Grounded answers: every sentence cites numbered passages and is checked by the verifier.

The default model is tiny, so the system decides what it can decide itself and the model only phrases:

* yes/no, choice and which-outlet questions are split into the claims they make about each named outlet;
  each claim is looked up in that outlet's articles (on the named day, when there is one) and checked;
  before/after questions compare publication dates. The verdict sentence cites the passages behind it.
* "who/which/what" questions take the name that the passages retrieved for the question's several
  descriptions agree on; the model (when there is one) may phrase the answer, and its sentences must
  pass the verifier.
* other questions go to the model with 3-5 trimmed, fenced passages (or, with ``--llm none``, to the
  best matching passage sentences).

Whatever the route, sentences that fail verification are dropped (kept and marked with
``show_unsupported``), and when nothing survives, or the question names an outlet or a person the
index doesn't have, the answer says plainly that the indexed articles do not say.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.passage import Passage
from ..core.settings import Settings
from ..grounding.citations import parse_citations
from ..grounding.verifier import Verifier, evidence_text, missing_facts
from ..llm import ChatModel, make_llm
from ..llm.prompting import format_passages, load_prompt
from ..retrieve.filters import Filters
from ..retrieve.retriever import Retriever
from ..text.dates import day_bounds
from ..text.sentences import sentence_spans
from ..text.words import content_keys, word_keys
from .evidence import (
    Candidate,
    Evidence,
    SentenceScorer,
    clauses,
    entity_candidates,
    instruction_like,
    wanted_type,
)
from .plan import Claim, Plan, name_found
from .plan import plan as make_plan

ABSTAIN_TEXT = "The indexed articles do not say."
SYSTEM_VERSION = "grounded-2"
"""Version of the system-side answering rules, recorded beside the prompt's version."""

CLAIM_SUPPORT = 0.5
"""Least cosine between a question's claim and an outlet's sentence for the claim to count as found."""
OPEN_SUPPORT = 0.45
"""Least cosine between a question and a passage sentence for extractive answers to quote it."""
ENTITY_MIN_QUERIES = 2
"""An answer entity must appear in the results of at least this many of the question's descriptions."""


@dataclass
class SentenceVerdict:
    """One answer sentence (without markers), the passages it cites, and the verifier's verdict."""

    text: str
    citations: list[int]
    supported: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Answer:
    """A grounded answer; ``sources[i]`` is passage ``[i+1]``."""

    question: str
    answer: str
    abstained: bool
    sentences: list[SentenceVerdict]
    sources: list[Passage]
    llm: str
    prompt_version: str
    route: str = ""
    """How it was answered: claims, dates, choice, outlet, entity, model, extractive, abstain."""
    reason: str = ""
    """Why it abstained (empty otherwise)."""
    cancelled: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` shape from DESIGN.md."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "sentences": [{"text": s.text, "citations": list(s.citations), "supported": s.supported}
                          for s in self.sentences],
            "sources": [{"n": n, "chunk_id": p.chunk_id, "title": p.article.title, "source": p.article.source,
                         "published_at": p.article.published_at, "url": p.article.url, "text": p.text}
                        for n, p in enumerate(self.sources, 1)],
            "llm": self.llm,
            "prompt_version": self.prompt_version,
        }


def with_markers(text: str, citations: list[int]) -> str:
    """'Text.' + [1, 3] -> 'Text [1][3].'"""
    marks = "".join(f"[{n}]" for n in citations)
    body = text.rstrip()
    end = ""
    while body and body[-1] in ".!?":
        end = body[-1] + end
        body = body[:-1]
    return f"{body} {marks}{end or '.'}" if marks else f"{body}{end or '.'}"


def _excerpt(sentence: str, limit: int = 320) -> str:
    text = " ".join(sentence.split()).rstrip(" .;:")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text


@dataclass
class _Composed:
    """A sentence the system wrote, before verification; ``kind`` 'dates' is checked for facts only."""

    text: str
    citations: list[int]
    kind: str = "quote"


class _Sources:
    """Numbered passages of one answer ([n] = index + 1), deduplicated by chunk id."""

    def __init__(self) -> None:
        self.items: list[Passage] = []
        self._index: dict[str, int] = {}

    def cite(self, passage: Passage) -> int:
        if passage.chunk_id not in self._index:
            self.items.append(passage)
            self._index[passage.chunk_id] = len(self.items)
        return self._index[passage.chunk_id]


_DEFAULT: Any = object()


class Answerer:
    """Answers questions over one index; models and indexes load once."""

    def __init__(self, settings: Settings, retriever: Retriever | None = None, llm: ChatModel | None = _DEFAULT) -> None:
        self.settings = settings
        self.retriever = retriever or Retriever(settings)
        self.llm: ChatModel | None = make_llm(settings) if llm is _DEFAULT else llm
        self.verifier = Verifier(self.retriever.embedder, settings.answer.support_threshold)
        self.scorer = SentenceScorer(self.retriever.embedder)
        self.prompt = load_prompt("answer")

    # ---- public API ------------------------------------------------------------------------
    @property
    def llm_name(self) -> str:
        return self.llm.name if self.llm is not None else "none"

    @property
    def prompt_version(self) -> str:
        return f"{self.prompt.version}+{SYSTEM_VERSION}" if self.llm is not None else f"extractive+{SYSTEM_VERSION}"

    def ask(self, question: str, filters: Filters | None = None, on_token: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> Answer:
        """Answer ``question`` from the index; ``on_token`` receives the answer text as it is verified."""
        started = time.perf_counter()
        question = " ".join(question.split())
        base = filters or Filters()
        p = make_plan(question, self.retriever.sources)
        answer = self._route(p, base, on_token, cancel)
        answer.seconds = time.perf_counter() - started
        return answer

    # ---- routing ---------------------------------------------------------------------------
    def _route(self, p: Plan, base: Filters, on_token, cancel) -> Answer:
        if p.unknown_outlets:
            names = ", ".join(p.unknown_outlets[:2])
            return self._abstain(p, f"no articles from {names} are in the index", on_token)
        if p.kind in ("yesno", "choice", "outlet_choice") and p.claims:
            return self._judge(p, base, on_token)
        if p.kind == "entity":
            return self._entity(p, base, on_token, cancel)
        return self._open(p, base, on_token, cancel)

    def _abstain(self, p: Plan, reason: str, on_token, sources: list[Passage] | None = None,
                 sentences: list[SentenceVerdict] | None = None, cancelled: bool = False) -> Answer:
        if on_token:
            on_token(ABSTAIN_TEXT)
        return Answer(p.question, ABSTAIN_TEXT, True, sentences or [], sources or [], self.llm_name,
                      self.prompt_version, route="abstain", reason=reason, cancelled=cancelled)

    def _missing_names(self, p: Plan, passages: list[Passage]) -> list[str]:
        """Names the question asks about that no retrieved passage mentions."""
        keys = {k for x in passages for k in word_keys(f"{x.article.title} {x.text}")}
        return [n for n in p.names if not name_found(n, keys)]

    def _names_block(self, p: Plan, passages: list[Passage]) -> str | None:
        """A reason to abstain when the question's people/things are absent from the evidence."""
        missing = self._missing_names(p, passages)
        if not missing:
            return None
        if len(missing) * 3 >= len(p.names) or any(len(word_keys(m)) >= 2 for m in missing):
            return f"the indexed articles never mention {missing[0]}"
        return None

    # ---- yes/no, choice and which-outlet questions: the system judges -----------------------
    def _claim_evidence(self, claim: Claim, base: Filters) -> Evidence | None:
        """The best sentence of the claimed outlet's articles for the claim (on the named day, if any)."""
        scoped = Filters(sources=list(claim.sources)).merged(base)
        tries = []
        if claim.date is not None:
            day = f"{claim.date.year:04d}-{claim.date.month:02d}-{claim.date.day:02d}"
            try:
                tries.append(Filters(day_bounds(day, end=False) - 86400, day_bounds(day, end=True) + 86400,
                                     list(scoped.sources)).merged(base))
            except Exception:  # an impossible date in the question: just ignore it
                pass
        tries.append(scoped)
        for f in tries:
            passages = self.retriever.search(claim.query, k=4, filters=f)
            if passages:
                best = self.scorer.best(claim.query, passages)
                if best:
                    return best[0]
        return None

    def _judge(self, p: Plan, base: Filters, on_token) -> Answer:
        found = [(claim, self._claim_evidence(claim, base)) for claim in p.claims]
        pool = [e.passage for _, e in found if e] + self.retriever.search(p.question, k=6, filters=base)
        block = self._names_block(p, pool)
        if block:
            return self._abstain(p, block, on_token)
        supported = [(c, e) for c, e in found if e and e.score >= CLAIM_SUPPORT]
        if not supported:
            return self._abstain(p, "no claim of the question is found in the named outlets' articles", on_token)
        srcs = _Sources()
        composed: list[_Composed] = []
        route = "claims"
        all_found = len(supported) == len(found)
        if p.kind == "outlet_choice":
            claim, ev = max(supported, key=lambda ce: self._question_fit(p, ce[1]))
            n = srcs.cite(ev.passage)
            composed.append(_Composed(f"{ev.passage.article.source} published its report on "
                                      f"{ev.passage.article.published_at[:10]}", [n], kind="dates"))
            composed += self._quotes([ev], srcs)
            route = "outlet"
        elif p.order and len(found) >= 2 and all_found:
            (c1, e1), (c2, e2) = supported[0], supported[1]
            d1, d2 = e1.passage.article.published_at, e2.passage.article.published_at
            if not d1 or not d2 or d1[:10] == d2[:10] and p.order:
                return self._abstain(p, "the two reports' dates cannot be compared", on_token)
            holds = d1 < d2 if p.order == "before" else d1 > d2
            n1, n2 = srcs.cite(e1.passage), srcs.cite(e2.passage)
            verdict = "Yes" if holds else "No"
            composed.append(_Composed(f"{verdict}: {e1.passage.article.source} published its report on {d1[:10]}",
                                      [n1], kind="dates"))
            composed.append(_Composed(f"{e2.passage.article.source} published its report on {d2[:10]}",
                                      [n2], kind="dates"))
            composed += self._quotes([e1, e2], srcs)
            route = "dates"
        else:
            if p.kind == "choice" and p.options:
                verdict = self._choice(p, all_found)
                if verdict is None:
                    return self._abstain(p, "the system cannot compare the reports on that point", on_token)
                route = "choice"
            elif all_found:
                verdict = "No" if p.frame == "inconsistent" else "Yes"
            else:
                verdict = "No"
            evidence = [e for _, e in supported]
            if not all_found:
                # Show what the outlet whose claim is not found does say on the subject, first.
                closest = [e for _, e in found if e is not None and e.score < CLAIM_SUPPORT]
                if not closest:
                    return self._abstain(p, "a named outlet has nothing on the subject", on_token)
                evidence = closest[:1] + evidence
            quotes = self._quotes(evidence, srcs)
            if not quotes:
                return self._abstain(p, "no quotable evidence", on_token)
            quotes[0] = _Composed(f"{verdict}: {quotes[0].text}", quotes[0].citations)
            composed += quotes
        return self._finish(p, composed, srcs, on_token, route)

    def _question_fit(self, p: Plan, ev: Evidence) -> float:
        topic = re.sub(r"\b(?:which|news|source|outlet)\b", " ", p.question, flags=re.IGNORECASE)
        best = self.scorer.best(topic, [ev.passage])
        return best[0].score if best else 0.0

    @staticmethod
    def _choice(p: Plan, all_found: bool) -> str | None:
        """consistent/inconsistent-style choices: the reports found agree unless a claim is missing."""
        a, b = p.options or ("", "")
        positive = a if any(b.startswith(x) and b[len(x):] == a for x in ("in", "dis", "un", "non", "im", "ir")) else (
            b if any(a.startswith(x) and a[len(x):] == b for x in ("in", "dis", "un", "non", "im", "ir")) else None)
        if positive is None:
            return None
        negative = b if positive == a else a
        return (positive if all_found else negative).capitalize()

    def _quotes(self, evidence: list[Evidence], srcs: _Sources) -> list[_Composed]:
        out = []
        for ev in evidence:
            if instruction_like(ev.sentence):
                continue
            n = srcs.cite(ev.passage)
            out.append(_Composed(_excerpt(ev.sentence), [n]))
        return out

    # ---- who/which/what questions ------------------------------------------------------------
    def _entity_search(self, p: Plan, base: Filters) -> tuple[list[list[Passage]], list[Passage]]:
        scoped = Filters(sources=p.sources).merged(base) if p.sources else base
        pieces = clauses(p.question) or [p.question]
        queries = [p.question, *pieces[:6]]
        lists = self.retriever.search_batch(queries, k=6, filters=scoped)
        if p.sources and sum(map(len, lists)) == 0:
            lists = self.retriever.search_batch(queries, k=6, filters=base)
        pool = list({x.chunk_id: x for lst in lists for x in lst}.values())
        return lists, pool

    def _entity(self, p: Plan, base: Filters, on_token, cancel) -> Answer:
        lists, pool = self._entity_search(p, base)
        if not pool:
            return self._abstain(p, "nothing in the index matches the question", on_token)
        block = self._names_block(p, pool)
        if block:
            return self._abstain(p, block, on_token)
        outlets = [o.surface for o in p.outlets] + list(self.retriever.sources)
        cands = entity_candidates(p.question, lists[1:] or lists, exclude=outlets, want=wanted_type(p.question))
        best = cands[0] if cands else None
        if best is None or len(best.queries) < min(ENTITY_MIN_QUERIES, max(1, len(lists) - 1)):
            if self.llm is not None:
                return self._model(p, pool[:4], on_token, cancel)
            return self._abstain(p, "no name is supported by several of the question's descriptions", on_token)
        composed, srcs = self._entity_compose(p, best, pool)
        if self.llm is not None and not (cancel and cancel.is_set()):
            phrased = self._model(p, [srcs.items[c.citations[0] - 1] for c in composed][:4], None, cancel,
                                  must_mention=best.display())
            if not phrased.abstained:
                if on_token:
                    on_token(phrased.answer)
                phrased.route = "entity+model"
                return phrased
        if not composed:
            return self._abstain(p, "no quotable evidence", on_token)
        return self._finish(p, composed, srcs, on_token, "entity")

    def _entity_compose(self, p: Plan, best: Candidate, pool: list[Passage]) -> tuple[list[_Composed], _Sources]:
        name = best.display()
        holders = [x for x in pool if set(best.key) <= set(word_keys(f"{x.article.title} {x.text}"))]
        srcs = _Sources()
        composed: list[_Composed] = []
        seen_articles: set[str] = set()
        evidence = []
        for ev in self.scorer.best(p.question, holders):
            # The quoted sentence must itself name the entity (any of its words), so the answer reads true.
            named = [e for e in self.scorer.best(p.question, [ev.passage], must=name.split()[-1])]
            if not named or ev.passage.article.id in seen_articles or instruction_like(named[0].sentence):
                continue
            seen_articles.add(ev.passage.article.id)
            evidence.append(named[0])
            if len(evidence) == 3:
                break
        for i, ev in enumerate(evidence):
            n = srcs.cite(ev.passage)
            text = _excerpt(ev.sentence)
            composed.append(_Composed(f"{name}: {text}" if i == 0 else text, [n]))
        return composed, srcs

    # ---- open questions ------------------------------------------------------------------------
    def _open(self, p: Plan, base: Filters, on_token, cancel) -> Answer:
        scoped = Filters(sources=p.sources).merged(base) if p.sources else base
        passages = self.retriever.search(p.question, k=8, filters=scoped)
        if not passages:
            return self._abstain(p, "nothing in the index matches the question", on_token)
        block = self._names_block(p, passages)
        if block:
            return self._abstain(p, block, on_token)
        ranked = self.scorer.best(p.question, passages)
        if not ranked or ranked[0].score < OPEN_SUPPORT:
            return self._abstain(p, "the retrieved passages are too far from the question", on_token,
                                 sources=passages[:3])
        if self.llm is not None:
            order = list(dict.fromkeys(e.passage.chunk_id for e in ranked))
            by_id = {x.chunk_id: x for x in passages}
            # When none of the model's sentences survive verification, the verified passage
            # sentences still answer: the model phrases, it does not get to decide to fail.
            return self._model(p, [by_id[c] for c in order][: self._max_passages()], on_token, cancel,
                               fallback=lambda: self._extractive_open(p, passages, on_token))
        return self._extractive_open(p, passages, on_token)

    def _extractive_open(self, p: Plan, passages: list[Passage], on_token) -> Answer:
        srcs = _Sources()
        composed = []
        per_article: dict[str, int] = {}
        cap = 1 if len({x.article.id for x in passages}) >= 3 else 3
        # Body sentences only (a headline is not an answer), best first; each part of a
        # multi-part question ("what …, and who …") scores every sentence too.
        for ev in self.scorer.ranked_sentences([p.question, *clauses(p.question)], passages[:5]):
            if ev.score < OPEN_SUPPORT or instruction_like(ev.sentence) or per_article.get(ev.passage.article.id, 0) >= cap:
                continue
            per_article[ev.passage.article.id] = per_article.get(ev.passage.article.id, 0) + 1
            composed.append(_Composed(_excerpt(ev.sentence), [srcs.cite(ev.passage)]))
            if len(composed) == 3:
                break
        return self._finish(p, composed, srcs, on_token, "extractive")

    # ---- the model -----------------------------------------------------------------------------
    def _max_passages(self) -> int:
        return max(1, min(self.settings.answer.max_passages, 4))

    def _max_tokens(self) -> int:
        return max(16, min(self.settings.llm.max_tokens, 120))

    def pack(self, question: str, passages: list[Passage]) -> tuple[list[dict[str, str]], list[Passage]]:
        """The prompt messages and the passages in it: trimmed to their relevant sentences, numbered,
        fenced, and cut to fit the token budget (the model's own context minus the answer's tokens)."""
        assert self.llm is not None
        count = self.llm.count_tokens
        skeleton = sum(count(m["content"]) for m in self.prompt.render(question=question, passages=""))
        room = self.llm.context_window - self._max_tokens() - skeleton - 64
        budget = max(0, min(self.settings.answer.prompt_budget_tokens, room))
        chosen: list[Passage] = []
        used = 0
        for passage in passages:
            trimmed = Passage(passage.chunk_id, self.scorer.trim(question, passage), passage.article, passage.score,
                              passage.position, dict(passage.extras))
            cost = count(format_passages([trimmed], start=len(chosen) + 1)) + 2
            if used + cost > budget:
                continue
            chosen.append(trimmed)
            used += cost
        return self.prompt.render(question=question, passages=format_passages(chosen)), chosen

    def _model(self, p: Plan, passages: list[Passage], on_token, cancel, must_mention: str | None = None,
               fallback: Callable[[], Answer] | None = None) -> Answer:
        assert self.llm is not None
        messages, shown = self.pack(p.question, passages)
        if not shown:
            return self._abstain(p, "no passage fits the prompt budget", on_token)
        full = {x.chunk_id: x for x in passages}
        sources = [full[x.chunk_id] for x in shown]
        # Verify against what the model was shown (trimmed, instruction-like text blanked), not the full chunk.
        evidence = [evidence_text(x) for x in shown]
        out = ""
        streamed = 0
        cancelled = False
        for piece in self.llm.stream(messages, max_tokens=self._max_tokens(),
                                     temperature=self.settings.llm.temperature, stop=["\n\n\n", "Question:"]):
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            out += piece
            if on_token is not None:
                spans = sentence_spans(out, newline_breaks=True)
                while len(spans) - 1 > streamed:  # the last span may still be growing
                    lo, hi = spans[streamed]
                    streamed += 1
                    for verdict in self._verify_text(out[lo:hi], evidence):
                        if verdict.supported or self.settings.answer.show_unsupported:
                            on_token(self._render_sentence(verdict) + " ")
        verdicts = self._verify_text(out, evidence)
        if must_mention is not None:
            keys = set(word_keys(must_mention))
            if not any(v.supported and keys <= set(word_keys(v.text)) for v in verdicts):
                return self._abstain(p, "the model's verified sentences do not name the answer", None, sources=sources)
        kept = [v for v in verdicts if v.supported]
        if not kept and fallback is not None and not cancelled:
            alternative = fallback()
            if not alternative.abstained:  # keep the model's rejected sentences visible in --json
                alternative.sentences = [*verdicts, *alternative.sentences]
                alternative.route = "model-rejected, extractive"
                return alternative
        if not kept:
            return self._abstain(p, "no sentence of the model's answer survived verification", on_token,
                                 sources=sources, sentences=verdicts, cancelled=cancelled)
        return Answer(p.question, self._render(verdicts), False, verdicts, sources, self.llm_name,
                      self.prompt_version, route="model", cancelled=cancelled)

    def _verify_text(self, text: str, evidence: list[str]) -> list[SentenceVerdict]:
        parsed = [s for s in parse_citations(text, len(evidence))
                  if content_keys(s.text) and s.text.strip().rstrip(".") != ABSTAIN_TEXT.rstrip(".")
                  and "do not say" not in s.text.lower()]
        if not parsed:
            return []
        verdicts = self.verifier.check_answer(parsed, evidence)
        out = []
        for sent, verdict in zip(parsed, verdicts):
            reasons = list(verdict.reasons)
            supported = verdict.supported and bool(sent.citations)
            if instruction_like(sent.text):
                supported = False
                reasons.append("repeats instruction-like text")
            out.append(SentenceVerdict(sent.text, list(sent.citations), supported, reasons))
        return out

    # ---- verification of system-written sentences and rendering ------------------------------
    def _finish(self, p: Plan, composed: list[_Composed], srcs: _Sources, on_token, route: str) -> Answer:
        evidence = [evidence_text(x) for x in srcs.items]
        quotes = [c for c in composed if c.kind == "quote"]
        checks = iter(self.verifier.check_many([(c.text, [evidence[n - 1] for n in c.citations]) for c in quotes]))
        verdicts: list[SentenceVerdict] = []
        for c in composed:
            if c.kind == "dates":
                reasons = missing_facts(c.text, [evidence[n - 1] for n in c.citations])
                verdicts.append(SentenceVerdict(c.text, c.citations, not reasons, reasons))
            else:
                v = next(checks)
                verdicts.append(SentenceVerdict(c.text, c.citations, v.supported, list(v.reasons)))
        if not verdicts or not verdicts[0].supported:
            return self._abstain(p, "the verdict sentence did not pass verification", on_token,
                                 sources=srcs.items, sentences=verdicts)
        text = self._render(verdicts)
        if on_token:
            on_token(text)
        return Answer(p.question, text, False, verdicts, srcs.items, self.llm_name, self.prompt_version, route=route)

    def _render_sentence(self, v: SentenceVerdict) -> str:
        return with_markers(v.text, v.citations) + ("" if v.supported else " (unsupported)")

    def _render(self, verdicts: list[SentenceVerdict]) -> str:
        show = self.settings.answer.show_unsupported
        return " ".join(self._render_sentence(v) for v in verdicts if v.supported or show)
