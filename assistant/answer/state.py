"""What the steps of answering work on: the models of one index (``Tools``, loaded once per ``Answerer``)
and one question's state (``Question``: its plan, the user's filters, the passages retrieved for it, and
where its verified text goes), so each step takes these two instead of a growing list of arguments."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..core.passage import Passage
from ..core.settings import Settings
from ..grounding.verifier import make_verifier
from ..index.vectors import UnitVectors
from ..llm import ChatModel
from ..llm.prompting import load_prompt
from ..retrieve.filters import Filters
from ..retrieve.retriever import Retriever
from .evidence import SentenceScorer
from .plan import Plan

SYSTEM_VERSION = "grounded-2"
"""Version of the system-side answering rules, recorded beside the prompt's version."""


class Tools:
    """The retriever, model, verifier, sentence scorer and prompt that every question of one index uses."""

    def __init__(self, settings: Settings, retriever: Retriever, llm: ChatModel | None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.writer = llm if _writes(settings, llm) else None
        """The model that writes answers (None: the system composes them from the passages)."""
        vectors = UnitVectors(retriever.embedder)  # one cache: the verifier reads the sentences the scorer chose
        self.verifier = make_verifier(settings, vectors)
        self.scorer = SentenceScorer(vectors)
        self.prompt = load_prompt("answer")

    @property
    def llm_name(self) -> str:
        return self.llm.name if self.llm is not None else "none"

    @property
    def prompt_version(self) -> str:
        return f"{self.prompt.version}+{SYSTEM_VERSION}" if self.writer is not None else f"extractive+{SYSTEM_VERSION}"


def _writes(settings: Settings, llm: ChatModel | None) -> bool:
    """Whether ``llm`` writes answers (``answer.model_writes``): 'auto' leaves the bundled tiny model out."""
    mode = settings.answer.model_writes
    return llm is not None and (mode == "always" or mode == "auto" and not llm.bundled)


@dataclass
class Question:
    """One question being answered; ``passages`` is what its route retrieved (the names check reads it)."""

    plan: Plan
    filters: Filters
    on_token: Callable[[str], None] | None = None
    cancel: threading.Event | None = None
    passages: list[Passage] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # one entry per model draft (shared by ``quiet`` copies)

    @property
    def text(self) -> str:
        return self.plan.question

    @property
    def scoped(self) -> Filters:
        """The user's filters narrowed to the outlets the question names, if it names any."""
        return Filters(sources=self.plan.sources).merged(self.filters) if self.plan.sources else self.filters

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def emit(self, text: str) -> None:
        """Pass verified answer text to the caller's ``on_token``, if there is one."""
        if self.on_token is not None:
            self.on_token(text)

    def quiet(self) -> Question:
        """The same question with nothing streamed (for a draft that may be discarded)."""
        return replace(self, on_token=None)
