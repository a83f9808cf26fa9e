"""The models and index, loaded once, and the library calls the routes make: ``Answerer.ask`` for a
conversation's question, ``write_brief``, ``Verifier.check`` and an article with a passage marked."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..answer.answerer import Answerer
from ..brief.writer import FROM_SETTINGS, write_brief
from ..llm import ChatModel, Message
from .conversation import Conversation
from .requests import FilterFields

if TYPE_CHECKING:
    from ..answer.result import Answer
    from ..brief.model import Brief
    from ..core.settings import Settings
    from ..grounding.verifier import Verdict
    from ..retrieve.filters import Filters


class OneAtATime(ChatModel):
    """A model that writes one reply at a time however many workers ask: llama.cpp's context is not
    safe to share between threads."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner, self.name, self.context_window = inner, inner.name, inner.context_window
        self._lock = threading.Lock()

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float,
               stop: list[str] | None = None) -> Iterator[str]:
        with self._lock:
            yield from self.inner.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self.inner.count_tokens(text)


@dataclass
class Reply:
    """An answer and the standalone question it searched for (a follow-up's rewrite)."""

    answer: Answer
    searched: str


class Engine:
    """One ``Answerer`` (retriever, model, verifier) shared by every request."""

    def __init__(self, settings: Settings, answerer: Answerer) -> None:
        self.settings = settings
        self.answerer = answerer

    @classmethod
    def load(cls, settings: Settings, llm: Any = FROM_SETTINGS) -> Engine:
        """Load the index and models ``settings`` name (``llm`` overrides the model, for tests)."""
        from ..llm import make_llm

        model = make_llm(settings) if llm is FROM_SETTINGS else llm
        if model is not None and settings.serve.workers > 1:
            model = OneAtATime(model)
        return cls(settings, Answerer(settings, llm=model))

    @property
    def retriever(self):  # -> Retriever
        return self.answerer.retriever

    @property
    def llm_name(self) -> str:
        return self.answerer.llm_name

    def filters(self, given: FilterFields) -> Filters:
        """Resolved filters; a bad date or an unknown outlet raises ``InputError``."""
        return self.retriever.filters(given.since, given.until, given.source)

    def ask(self, conversation: Conversation, filters: Filters, on_token: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> Reply:
        """Answer the conversation's last question, rewritten to stand alone when it is a follow-up."""
        searched = conversation.standalone(self.answerer.llm, self.retriever.sources, cancel)
        return Reply(self.answerer.ask(searched, filters, on_token=on_token, cancel=cancel), searched)

    def brief(self, topic: str, filters: Filters, n_articles: int) -> Brief:
        return write_brief(topic, self.settings, retriever=self.retriever, llm=self.answerer.llm, filters=filters,
                           n_articles=n_articles, progress=False, verifier=self.answerer.verifier)

    def verify(self, claims: Sequence[tuple[str, Sequence[str]]]) -> list[Verdict]:
        return [self.answerer.verifier.check(sentence, evidence) for sentence, evidence in claims]

    def article(self, article_id: str, chunk_id: str | None) -> dict[str, Any] | None:
        """The article's fields and body, with the span of chunk ``chunk_id`` in it (``None`` if not found)."""
        got = self.retriever.store.get_article(article_id)
        if got is None:
            return None
        meta, body = got
        span = None
        if chunk_id:
            text = next((t for cid, t, _ in self.retriever.store.article_chunks(article_id) if cid == chunk_id), None)
            span = find_span(body, text) if text else None
        return {"id": article_id, "title": meta.get("title", ""), "source": meta.get("source", ""),
                "published_at": meta.get("published_at", ""), "url": meta.get("url", ""), "body": body,
                "highlight": span}


def find_span(body: str, passage: str) -> list[int] | None:
    """[start, end] of ``passage`` in ``body``, whatever the whitespace between its words."""
    words = passage.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), body)
    return [match.start(), match.end()] if match else None
