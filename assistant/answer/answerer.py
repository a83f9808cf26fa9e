"""Grounded answers: every sentence cites numbered passages and is checked by the verifier.

``Answerer`` loads the models of one index once and answers each question by its plan: ``routes`` picks
the way (claims judged by the system, a name several descriptions agree on, or the model / the passage
sentences for open questions), ``compose`` verifies and renders the sentences, and whatever the route,
when nothing survives verification the answer says plainly that the indexed articles do not say.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..core.settings import Settings
from ..llm import FROM_SETTINGS, chosen_llm
from ..retrieve.filters import Filters
from ..retrieve.retriever import Retriever
from .plan import plan
from .result import Answer
from .routes import route
from .state import Question, Tools


class Answerer(Tools):
    """Answers questions over one index: the ``Tools`` (models and indexes, loaded once) and the entry point.

    ``llm=None`` answers without a model (claim checks and passage sentences only)."""

    def __init__(self, settings: Settings, retriever: Retriever | None = None, llm: Any = FROM_SETTINGS) -> None:
        writes = settings.answer.model_writes
        if llm is FROM_SETTINGS and (writes == "never" or writes == "auto" and settings.llm.spec == "local"):
            llm = None  # a model that would not write (answer.model_writes) is not loaded: it saves a second
        super().__init__(settings, retriever or Retriever(settings), chosen_llm(settings, llm))

    def ask(self, question: str, filters: Filters | None = None, on_token: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> Answer:
        """Answer ``question`` from the index; ``on_token`` receives the answer text as it is verified."""
        started = time.perf_counter()
        question = " ".join(question.split())
        q = Question(plan(self.retriever.plan(" ".join(question.split()))), filters or Filters(), on_token, cancel)
        answer = route(self, q)
        answer.drafted = bool(q.drafts)
        answer.seconds = time.perf_counter() - started
        return answer
