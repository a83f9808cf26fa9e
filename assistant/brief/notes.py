"""The language model's part: per-article notes (map) and the bottom line (reduce), each within the
prompt's token budget, each line verified before it may compete with the articles' own sentences."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..core.passage import Passage
from ..grounding.citations import parse_citations
from .lines import Line, balanced, best_overlap, drop_meta, quote_problems, well_formed
from .pool import score_lines
from .state import NoteState


def map_notes(state: NoteState, progress: bool | None) -> None:
    """Map step: the model's notes on each article, verified; a failing article is reported, not fatal."""
    from tqdm import tqdm

    from ..llm.prompting import format_passages, load_prompt

    prompt = load_prompt("brief_notes")
    state.prompt_versions["brief_notes"] = prompt.version
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(state.articles, desc="brief: notes", unit="article", disable=not show, file=sys.stderr,
               dynamic_ncols=True)
    proposed: list[tuple[str, list[Passage], int]] = []
    for ai, article in enumerate(bar):
        chosen = budgeted_passages(state, ai, prompt)
        if not chosen:
            continue
        topic = state.topic or article.title or "the main news in these passages"
        messages = prompt.render(topic=topic, passages=format_passages(chosen))
        try:
            reply = call_model(state, messages)
        except Exception as exc:  # one failing article is reported, not fatal
            state.problems.append({"article_id": article.id, "title": article.title,
                                   "reason": f"model notes failed ({_one_line(exc)}); used extractive sentences"})
            continue
        for sentence in parse_citations(reply, len(chosen)):
            if re.fullmatch(r"(?i)\W*nothing relevant\W*", sentence.text):
                continue
            if not well_formed(sentence.text, bool(sentence.citations), state.cfg.min_words):
                state.drop("key_developments", sentence.text, ["not a complete sentence"])
                continue
            numbers = sentence.citations or ([] if sentence.invalid else best_overlap(sentence.text, chosen, state.cfg.model_line_overlap))
            proposed.append((sentence.text, [chosen[n - 1] for n in numbers], ai))
    state.llm_stats["notes_proposed"] += len(proposed)
    kept = verify_model_lines(state, proposed, "key_developments")
    state.llm_stats["notes_kept"] += len(kept)
    state.notes = kept


def budgeted_passages(state: NoteState, ai: int, prompt) -> list[Passage]:
    """The article's passages most relevant to the topic that fit the map prompt's token budget,
    in reading order (tiktoken counts the budget; the model's own count checks the result)."""
    from ..llm.prompting import format_passages

    article = state.articles[ai]
    budget = prompt_budget(state, prompt)
    order = list(range(len(article.passages)))
    if state.topic_vec is not None:
        index = {p.chunk_id: i for i, p in enumerate(article.passages)}
        best: dict[int, float] = defaultdict(lambda: -1.0)
        for line in state.sentences:
            if line.article == ai:
                pi = index[line.passages[0].chunk_id]
                best[pi] = max(best[pi], float(line.vec @ state.topic_vec))
        order.sort(key=lambda i: (-best[i], i))
    chosen: list[int] = []
    used = 0
    for i in order:
        cost = _tokens(format_passages([article.passages[i]]), state.llm)
        if chosen and used + cost > budget:
            continue
        if not chosen and cost > budget:  # a single over-long passage: cut it to the budget
            return [_truncate_passage(article.passages[i], budget, state.llm)]
        chosen.append(i)
        used += cost
    return [article.passages[i] for i in sorted(chosen)]


def prompt_budget(state: NoteState, prompt) -> int:
    """Tokens left for passages: the context window minus the template, the reply and a margin."""
    template = "\n".join(m["content"] for m in prompt.render(**{v: "" for v in prompt.required}))
    window = state.settings.llm.context_window or getattr(state.llm, "context_window", 2048) or 2048
    room = int(0.85 * (window - _reply_tokens(state))) - _tokens(template, state.llm) - 32
    return max(64, min(state.settings.answer.prompt_budget_tokens, room))


def _reply_tokens(state: NoteState) -> int:
    return min(state.settings.llm.max_tokens, state.cfg.note_tokens)


def call_model(state: NoteState, messages: list[dict[str, str]]) -> str:
    """One model call for a note or a section, retried once when the error says a retry may help."""
    from ..core.errors import ModelError

    state.llm_stats["calls"] += 1
    kwargs = {"max_tokens": _reply_tokens(state), "temperature": state.settings.llm.temperature}
    try:
        return state.llm.complete(messages, **kwargs)
    except ModelError as exc:
        if not exc.retryable:
            raise
        return state.llm.complete(messages, **kwargs)


def verify_model_lines(state: NoteState, proposed: Sequence[tuple[str, list[Passage], int]],
                       section: str) -> list[Line]:
    """Verified model lines as scored candidate lines; the rest go to ``dropped`` with the reasons."""
    from ..grounding.verifier import evidence_text, lexical_support

    cfg = state.cfg
    proposed = [(drop_meta(text), passages, ai) for text, passages, ai in proposed]
    complete = [well_formed(text, True, cfg.min_words) and balanced(text) for text, _, _ in proposed]
    for (text, _, _), ok in zip(proposed, complete):
        if not ok:
            state.drop(section, text, ["not a complete sentence"])
    proposed = [row for row, ok in zip(proposed, complete) if ok]
    claims = [(text, [evidence_text(p) for p in passages]) for text, passages, _ in proposed]
    verdicts = state.verifier.check_many(claims) if claims else []
    kept: list[Line] = []
    for (text, passages, ai), verdict in zip(proposed, verdicts):
        reasons = list(verdict.reasons) + quote_problems(text, passages)
        support = lexical_support(text, [p.text for p in passages]) if passages else 0.0
        if passages and support < cfg.model_lexical_support:
            reasons.append(f"only {support:.0%} of its content words are in the cited passages")
        if not passages:
            reasons = reasons or ["cites no passage"]
        if reasons or not verdict.supported:
            state.drop(section, text, reasons or ["not supported"])
            continue
        kept.append(Line(text, ai, passages, 0, "llm", verdict=verdict))
    if kept:
        for line, vec in zip(kept, state.embedder.matrix([k.text for k in kept])):
            line.vec = vec
            line.position = _restated_position(state, line)
        score_lines(state, kept)
        for line in kept:
            line.score += cfg.llm_bonus
    return kept


def _restated_position(state: NoteState, line: Line) -> int:
    """A model line ranks by the place of the article sentence it restates (the most similar one in
    its cited passages), not by the start of the passage: otherwise any line citing the first
    passage would outrank the lead it paraphrases."""
    cited = {p.chunk_id for p in line.passages}
    same = [s for s in state.sentences if s.article == line.article and s.passages[0].chunk_id in cited]
    if not same:
        return 0
    return max(same, key=lambda s: float(s.vec @ line.vec)).position


def model_bottom_line(state: NoteState) -> list[Line]:
    """Reduce step: the model writes the bottom line from the verified notes (or the best sentences
    when it wrote none), within the prompt's token budget. Its verified sentences are candidates that
    compete with the articles' own sentences on the same score, not lines placed first."""
    from ..llm.prompting import load_prompt

    prompt = load_prompt("brief_section")
    state.prompt_versions["brief_section"] = prompt.version
    sources = sorted(state.notes, key=lambda n: -n.score) or sorted(state.lines, key=lambda n: -n.score)[:12]
    numbered = _fit_rows(state, sources, prompt_budget(state, prompt))
    if not numbered:
        return []
    rows = [f"[{i}] {line.text}" for i, line in enumerate(numbered, 1)]
    topic = state.topic or state.articles[0].title or "the news in these notes"
    messages = prompt.render(topic=topic, section="Bottom line: the two or three most important facts",
                             notes="\n".join(rows))
    try:
        reply = call_model(state, messages)
    except Exception as exc:
        state.problems.append({"article_id": "", "title": "bottom line",
                               "reason": f"model failed ({_one_line(exc)}); used extractive sentences"})
        return []
    proposed = []
    for sentence in parse_citations(reply, len(numbered)):
        if not well_formed(sentence.text, bool(sentence.citations), state.cfg.min_words):
            state.drop("bottom_line", sentence.text, ["not a complete sentence"])
            continue
        cited = [numbered[n - 1] for n in sentence.citations]
        passages = list({p.chunk_id: p for line in cited for p in line.passages}.values())
        proposed.append((sentence.text, passages, cited[0].article if cited else 0))
    state.llm_stats["bottom_proposed"] += len(proposed)
    kept = verify_model_lines(state, proposed, "bottom_line")
    state.llm_stats["bottom_kept"] += len(kept)
    return kept


def _fit_rows(state: NoteState, sources: Sequence[Line], room: int) -> list[Line]:
    """The leading lines whose numbered rows fit in ``room`` tokens (at least one)."""
    numbered: list[Line] = []
    used = 0
    for line in sources:
        cost = _tokens(f"[{len(numbered) + 1}] {line.text}", state.llm) + 1
        if numbered and used + cost > room:
            break
        numbered.append(line)
        used += cost
    return numbered


def _tokens(text: str, llm: Any) -> int:
    """Token count for budgets: tiktoken for the model's family (an approximation for local models,
    hence the margin in ``prompt_budget``)."""
    from ..llm.base import tiktoken_encoding

    return len(tiktoken_encoding(getattr(llm, "name", "") or "").encode(text, disallowed_special=()))


def _truncate_passage(passage: Passage, budget: int, llm: Any) -> Passage:
    from ..llm.base import tiktoken_encoding

    enc = tiktoken_encoding(getattr(llm, "name", "") or "")
    text = enc.decode(enc.encode(passage.text, disallowed_special=())[: max(16, budget - 24)])
    return replace(passage, text=text)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
