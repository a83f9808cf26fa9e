"""What clients get back: OpenAI's completion and chunk shapes, plus the sources behind the ``[n]`` markers
(``citations``: the URL of source n at n - 1; ``sources``: each passage with its article; ``sentences``: each
sentence with the sources it cites and whether it was verified)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..text.sentences import sentence_spans

if TYPE_CHECKING:
    from .engine import Reply

MODEL_ID = "news-assistant"
"""The one model ``GET /v1/models`` lists; whatever a request names is echoed back."""


@dataclass(frozen=True)
class Limit:
    """How long a reply may be: ``serve.max_answer_chars`` characters and, when the request sets
    ``max_tokens``, that many tokens as OpenAI's clients count them (tiktoken; a model writing the answer
    is also stopped at that many of its own tokens, ``engine.Budgeted``)."""

    max_chars: int
    max_tokens: int | None = None

    def fits(self, text: str) -> bool:
        if len(text) > self.max_chars:
            return False
        if self.max_tokens is None:
            return True
        from ..llm.base import tiktoken_encoding

        return len(tiktoken_encoding(MODEL_ID).encode(text, disallowed_special=())) <= self.max_tokens


def capped(text: str, limit: Limit) -> tuple[str, bool]:
    """Whole sentences of ``text`` within ``limit`` (always the first, so nothing is cut mid-citation)
    and whether any were left out."""
    if limit.fits(text):
        return text, False
    spans = sentence_spans(text)
    end = spans[0][1] if spans else len(text)
    for _, hi in spans[1:]:
        if not limit.fits(text[:hi]):
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


def finish(truncated: bool) -> str:
    """OpenAI's ``finish_reason``: "length" when the reply's limit left sentences out."""
    return "length" if truncated else "stop"


def completion(ident: str, model: str, created: int, text: str, evidence: dict[str, Any]) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    return {"id": ident, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": finish(evidence["truncated"])}],
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
    """Streamed text within the reply's limit: a piece that would pass it closes the gate."""

    def __init__(self, limit: Limit) -> None:
        self.limit, self.sent, self.open = limit, "", True

    def admit(self, piece: str) -> str:
        if self.open and self.limit.fits(self.sent + piece):
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
