"""News-intelligence assistant: grounded answers and briefing notes with verified citations.

The public face of the library: load settings, ingest, retrieve, answer, brief and verify with the same
calls the CLI makes. Names load lazily, so ``import assistant`` (and ``assistant --help``) stays cheap.
See docs/ARCHITECTURE.md for the layout behind them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Settings": "assistant.core.settings",
    "load_settings": "assistant.core.settings",
    "AssistantError": "assistant.core.errors",
    "InputError": "assistant.core.errors",
    "ModelError": "assistant.core.errors",
    "Article": "assistant.core.article",
    "Passage": "assistant.core.passage",
    "ingest": "assistant.ingest.pipeline",
    "IngestReport": "assistant.ingest.pipeline",
    "index_stats": "assistant.index.info",
    "Retriever": "assistant.retrieve.retriever",
    "Filters": "assistant.retrieve.filters",
    "make_filters": "assistant.retrieve.filters",
    "Verifier": "assistant.grounding.verifier",
    "Answerer": "assistant.answer.answerer",
    "Answer": "assistant.answer.result",
    "write_brief": "assistant.brief.writer",
    "make_llm": "assistant.llm",
    "ChatModel": "assistant.llm",
    "make_embedder": "assistant.index.embedder",
}
__all__ = [
    "Answer",
    "Answerer",
    "Article",
    "AssistantError",
    "ChatModel",
    "Filters",
    "IngestReport",
    "InputError",
    "ModelError",
    "Passage",
    "Retriever",
    "Settings",
    "Verifier",
    "index_stats",
    "ingest",
    "load_settings",
    "make_embedder",
    "make_filters",
    "make_llm",
    "write_brief",
]

if TYPE_CHECKING:
    from .answer.answerer import Answerer
    from .answer.result import Answer
    from .brief.writer import write_brief
    from .core.article import Article
    from .core.errors import AssistantError, InputError, ModelError
    from .core.passage import Passage
    from .core.settings import Settings, load_settings
    from .grounding.verifier import Verifier
    from .index.embedder import make_embedder
    from .index.info import index_stats
    from .ingest.pipeline import IngestReport, ingest
    from .llm import ChatModel, make_llm
    from .retrieve.filters import Filters, make_filters
    from .retrieve.retriever import Retriever


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
