"""What clients get back: OpenAI's completion and chunk shapes, plus the sources behind the ``[n]`` markers
(``citations``: the URL of source n at n - 1; ``sources``: each passage with its article; ``sentences``: each
sentence with the sources it cites and whether it was verified)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..text.sentences import sentence_spans

if TYPE_CHECKING:
    from .engine import Reply

MODEL_ID = "news-assistant"
"""The one model ``GET /v1/models`` lists; whatever a request names is echoed back."""


def capped(text: str, max_chars: int) -> tuple[str, bool]:
    """Whole sentences of ``text`` up to ``max_chars`` (always the first, so nothing is cut mid-citation)
    and whether any were left out."""
    if len(text) <= max_chars:
        return text, False
    spans = sentence_spans(text)
    end = spans[0][1] if spans else len(text)
    for _, hi in spans[1:]:
        if hi > max_chars:
            break
        end = hi
    return text[:end], end < len(text.rstrip())


def extras(reply: Reply, truncated: bool) -> dict[str, Any]:
    """The fields beside OpenAI's that carry the evidence."""
    data = reply.answer.to_json()
    cited = {n for s in reply.answer.sentences if s.supported for n in s.citations}
    sources = [{**src, "article_id": p.article.id, "cited": src["n"] in cited}
               for src, p in zip(data["sources"], reply.answer.sources)]
    return {"citations": [s["url"] for s in sources], "sources": sources, "sentences": data["sentences"],
            "abstained": reply.answer.abstained, "reason": reply.answer.reason, "searched": reply.searched,
            "truncated": truncated}


def completion(ident: str, model: str, created: int, text: str, evidence: dict[str, Any]) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    return {"id": ident, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            **evidence}


def chunk(ident: str, model: str, created: int, delta: dict[str, Any], finish: str | None = None,
          evidence: dict[str, Any] | None = None) -> str:
    """One ``chat.completion.chunk`` as a server-sent event."""
    body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **(evidence or {})}
    return sse(body)


def sse(body: dict[str, Any] | str) -> str:
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return f"data: {data}\n\n"


class Gate:
    """Streamed text up to the reply's length cap: a piece that would pass it closes the gate."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars, self.sent, self.open = max_chars, "", True

    def admit(self, piece: str) -> str:
        if self.open and len(self.sent) + len(piece) <= self.max_chars:
            self.sent += piece
            return piece
        self.open = False
        return ""

    def rest(self, final: str) -> str:
        """What completes the stream into ``final``: its remainder when the stream began it, else the whole
        verified answer after a line saying so (sentences streamed may have been dropped at the end)."""
        shown = self.sent.rstrip()
        if not shown:
            return final
        if final.startswith(shown):
            rest = final[len(shown):]
            return rest.lstrip() if self.sent != shown else rest
        return f"\n\nVerified answer: {final}"
