"""Answer text: sentences the system or the model wrote, each verified against the passages it cites,
rendered with citation markers; the model's answer is verified sentence by sentence as it streams.

Sentences that fail verification are dropped (kept and marked with ``show_unsupported``); when the
verdict sentence fails, or nothing survives, the answer abstains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core.passage import Passage
from ..grounding.citations import parse_citations
from ..grounding.verifier import evidence_text, missing_facts
from ..text.screening import instruction_like
from ..text.sentences import sentence_spans
from ..text.words import content_keys, word_keys
from .evidence import Evidence
from .result import ABSTAIN_TEXT, Answer, SentenceVerdict
from .sources import Sources, answer_tokens, pack
from .state import Question, Tools
from .tidy import clean


def with_markers(text: str, citations: list[int]) -> str:
    """'Text.' + [1, 3] -> 'Text [1][3].'"""
    marks = "".join(f"[{n}]" for n in citations)
    body = text.rstrip()
    end = ""
    while body and body[-1] in ".!?":
        end = body[-1] + end
        body = body[:-1]
    return f"{body} {marks}{end or '.'}" if marks else f"{body}{end or '.'}"


def excerpt(sentence: str, limit: int = 320) -> str:
    """A passage sentence as quoted in an answer: whitespace collapsed, end punctuation off, at most ``limit``."""
    text = " ".join(sentence.split()).rstrip(" .;:")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text


@dataclass
class Composed:
    """A sentence the system wrote, before verification; ``kind`` 'dates' is checked for facts only."""

    text: str
    citations: list[int]
    kind: str = "quote"


def quotes(evidence: list[Evidence], srcs: Sources) -> list[Composed]:
    """The evidence sentences, cleaned (``tidy.clean``), as quotes citing their passages; instruction-like
    sentences are never quoted."""
    out = []
    for ev in evidence:
        if instruction_like(ev.sentence):
            continue
        n = srcs.cite(ev.passage)
        out.append(Composed(excerpt(clean(ev.sentence)), [n]))
    return out


def render_sentence(v: SentenceVerdict) -> str:
    """One sentence with its citation markers; an unsupported one (shown only on request) says so."""
    return with_markers(v.text, v.citations) + ("" if v.supported else " (unsupported)")


def render(verdicts: list[SentenceVerdict], show_unsupported: bool) -> str:
    """The answer text: the supported sentences (all of them, marked, with ``show_unsupported``)."""
    return " ".join(render_sentence(v) for v in verdicts if v.supported or show_unsupported)


def abstain(tools: Tools, q: Question, reason: str, sources: list[Passage] | None = None,
            sentences: list[SentenceVerdict] | None = None, cancelled: bool = False) -> Answer:
    """The plain "the articles do not say" answer, with why and whatever evidence was looked at."""
    q.emit(ABSTAIN_TEXT)
    return Answer(q.text, ABSTAIN_TEXT, True, sentences or [], sources or [], tools.llm_name,
                  tools.prompt_version, route="abstain", reason=reason, cancelled=cancelled)


def finish(tools: Tools, q: Question, composed: list[Composed], srcs: Sources, route: str) -> Answer:
    """Verify the system-written sentences; the first (the verdict) must pass, or the answer abstains."""
    evidence = [evidence_text(x) for x in srcs.items]
    quoted = [c for c in composed if c.kind == "quote"]
    checks = iter(tools.verifier.check_many([(c.text, [evidence[n - 1] for n in c.citations]) for c in quoted]))
    verdicts: list[SentenceVerdict] = []
    for c in composed:
        if c.kind == "dates":
            reasons = missing_facts(c.text, [evidence[n - 1] for n in c.citations])
            verdicts.append(SentenceVerdict(c.text, c.citations, not reasons, reasons))
        else:
            v = next(checks)
            verdicts.append(SentenceVerdict(c.text, c.citations, v.supported, list(v.reasons)))
    if not verdicts or not verdicts[0].supported:
        return abstain(tools, q, "the verdict sentence did not pass verification", sources=srcs.items,
                       sentences=verdicts)
    text = render(verdicts, tools.settings.answer.show_unsupported)
    q.emit(text)
    return Answer(q.text, text, False, verdicts, srcs.items, tools.llm_name, tools.prompt_version, route=route)


def verify_text(tools: Tools, text: str, evidence: list[str]) -> list[SentenceVerdict]:
    """The model's sentences with their verdicts; an uncited or instruction-like sentence is unsupported."""
    parsed = [s for s in parse_citations(text, len(evidence))
              if content_keys(s.text) and s.text.strip().rstrip(".") != ABSTAIN_TEXT.rstrip(".")
              and "do not say" not in s.text.lower()]
    if not parsed:
        return []
    verdicts = tools.verifier.check_answer(parsed, evidence)
    out = []
    for sent, verdict in zip(parsed, verdicts):
        reasons = list(verdict.reasons)
        supported = verdict.supported and bool(sent.citations)
        if instruction_like(sent.text):
            supported = False
            reasons.append("repeats instruction-like text")
        out.append(SentenceVerdict(sent.text, list(sent.citations), supported, reasons))
    return out


def _stream(tools: Tools, q: Question, messages: list[dict[str, str]], evidence: list[str]) -> tuple[str, bool]:
    """The model's whole reply and whether it was cancelled; each finished sentence is verified and,
    when it passes (or ``show_unsupported``), passed on to ``q.on_token`` while the model writes."""
    assert tools.writer is not None
    out = ""
    streamed = 0
    for piece in tools.writer.stream(messages, max_tokens=answer_tokens(tools.settings),
                                  temperature=tools.settings.llm.temperature, stop=["\n\n\n", "Question:"]):
        if q.cancelled:
            return out, True
        out += piece
        if q.on_token is not None:
            spans = sentence_spans(out, newline_breaks=True)
            while len(spans) - 1 > streamed:  # the last span may still be growing
                lo, hi = spans[streamed]
                streamed += 1
                for verdict in verify_text(tools, out[lo:hi], evidence):
                    if verdict.supported or tools.settings.answer.show_unsupported:
                        q.emit(render_sentence(verdict) + " ")
    return out, False


def model_answer(tools: Tools, q: Question, passages: list[Passage], must_mention: str | None = None,
                 fallback: Callable[[], Answer] | None = None, hints: Sequence[str] = ()) -> Answer:
    """The model's answer from ``passages``, verified against what it was shown. ``must_mention``: a verified
    sentence must name it (and is the prompt's hint); ``hints``: the system's candidate answers, for the model
    to check; ``fallback``: the answer to give when none of the model's sentences survive."""
    messages, shown = pack(tools, q.text, passages, [must_mention] if must_mention else hints)
    if not shown:
        return abstain(tools, q, "no passage fits the prompt budget")
    full = {x.chunk_id: x for x in passages}
    sources = [full[x.chunk_id] for x in shown]
    # Verify against what the model was shown (trimmed, instruction-like text blanked), not the full chunk.
    evidence = [evidence_text(x) for x in shown]
    out, cancelled = _stream(tools, q, messages, evidence)
    q.drafts.append(out)
    verdicts = verify_text(tools, out, evidence)
    if must_mention is not None:
        keys = set(word_keys(must_mention))
        if not any(v.supported and keys <= set(word_keys(v.text)) for v in verdicts):
            return abstain(tools, q.quiet(), "the model's verified sentences do not name the answer", sources=sources)
    kept = [v for v in verdicts if v.supported]
    if not kept and fallback is not None and not cancelled:
        alternative = fallback()
        if not alternative.abstained:  # keep the model's rejected sentences visible in --json
            alternative.sentences = [*verdicts, *alternative.sentences]
            alternative.route = "model-rejected, extractive"
            return alternative
    if not kept:
        return abstain(tools, q, "no sentence of the model's answer survived verification", sources=sources,
                       sentences=verdicts, cancelled=cancelled)
    return Answer(q.text, render(verdicts, tools.settings.answer.show_unsupported), False, verdicts, sources,
                  tools.llm_name, tools.prompt_version, route="model", cancelled=cancelled)
