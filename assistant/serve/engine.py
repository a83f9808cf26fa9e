"""The models and index, loaded once, and the library calls the routes make: ``Answerer.ask`` for a
conversation's question, ``write_brief``, ``Verifier.check`` and an article with a passage marked."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
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
        self.bundled = inner.bundled  # answer.model_writes=auto decides on it
        self._lock = threading.Lock()

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float,
               stop: list[str] | None = None) -> Iterator[str]:
        with self._lock:
            yield from self.inner.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self.inner.count_tokens(text)


class Budgeted(ChatModel):
    """A model whose replies stop at the current request's ``max_tokens`` when that is fewer than the
    answer's own budget (``answer.max_tokens_cap``): set per worker thread, around one answer."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner, self.name, self.context_window = inner, inner.name, inner.context_window
        self.bundled = inner.bundled  # answer.model_writes=auto decides on it
        self._local = threading.local()

    @contextmanager
    def limited(self, max_tokens: int | None) -> Iterator[None]:
        self._local.max_tokens = max_tokens
        try:
            yield
        finally:
            self._local.max_tokens = None

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float,
               stop: list[str] | None = None) -> Iterator[str]:
        limit = getattr(self._local, "max_tokens", None)
        budget = max_tokens if limit is None else min(max_tokens, limit)
        yield from self.inner.stream(messages, max_tokens=budget, temperature=temperature, stop=stop)

    def count_tokens(self, text: str) -> int:
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
        self.budget = Budgeted(answerer.llm) if answerer.llm is not None else None
        if answerer.writer is not None and answerer.writer is answerer.llm:
            answerer.writer = self.budget  # the model that writes answers is the one the budget bounds
        answerer.llm = self.budget

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
            cancel: threading.Event | None = None, max_tokens: int | None = None) -> Reply:
        """Answer the conversation's last question, rewritten to stand alone when it is a follow-up; a model
        writes at most ``max_tokens`` tokens for the answer (never fewer than ``answer.max_tokens_floor``,
        so one cited sentence fits)."""
        searched = conversation.standalone(self.answerer.llm, self.retriever.sources, cancel)
        limit = (nullcontext() if self.budget is None or max_tokens is None
                 else self.budget.limited(max(max_tokens, self.settings.answer.max_tokens_floor)))
        with limit:
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
