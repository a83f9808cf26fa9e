"""An answer's numbered sources, and the packing of passages into the model's prompt within its budgets."""

from __future__ import annotations

from dataclasses import replace

from ..core.passage import Passage
from ..core.settings import Settings
from ..llm.prompting import format_passages
from .state import Tools


class Sources:
    """Numbered passages of one answer ([n] = index + 1), deduplicated by chunk id."""

    def __init__(self) -> None:
        self.items: list[Passage] = []
        self._index: dict[str, int] = {}

    def cite(self, passage: Passage) -> int:
        """The passage's number, giving it the next one when it is new."""
        if passage.chunk_id not in self._index:
            self.items.append(passage)
            self._index[passage.chunk_id] = len(self.items)
        return self._index[passage.chunk_id]


def prompt_passages(settings: Settings) -> int:
    """How many passages an open question's prompt holds: ``answer.max_passages`` within its cap."""
    return min(settings.answer.max_passages, settings.answer.max_passages_cap)


def answer_tokens(settings: Settings) -> int:
    """The most tokens the model may write for an answer: ``llm.max_tokens`` within the answer's bounds."""
    return max(settings.answer.max_tokens_floor, min(settings.llm.max_tokens, settings.answer.max_tokens_cap))


def pack(tools: Tools, question: str, passages: list[Passage]) -> tuple[list[dict[str, str]], list[Passage]]:
    """The prompt messages and the passages in it: trimmed to their relevant sentences, numbered,
    fenced, and cut to fit the token budget (the model's own context minus the answer's tokens)."""
    assert tools.llm is not None
    count = tools.llm.count_tokens
    skeleton = sum(count(m["content"]) for m in tools.prompt.render(question=question, passages=""))
    room = tools.llm.context_window - answer_tokens(tools.settings) - skeleton - 64
    budget = max(0, min(tools.settings.answer.prompt_budget_tokens, room))
    chosen: list[Passage] = []
    used = 0
    for passage in passages:
        trimmed = replace(passage, text=tools.scorer.trim(question, passage))
        cost = count(format_passages([trimmed], start=len(chosen) + 1)) + 2
        if used + cost > budget:
            continue
        chosen.append(trimmed)
        used += cost
    return tools.prompt.render(question=question, passages=format_passages(chosen)), chosen
