"""Language-model providers behind one interface, chosen by a spec string.

Specs: ``local`` (bundled SmolLM2 GGUF, in-process), ``gguf:PATH``, ``openai:MODEL``
(OPENAI_API_KEY / OPENAI_BASE_URL) and ``none`` (no model: extractive answers elsewhere).
Importing this package loads neither llama_cpp nor openai; a provider imports its library when built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import ModelError
from .base import ChatModel, Message, ensure_tiktoken_cache

if TYPE_CHECKING:
    from ..core.settings import Settings

__all__ = ["ChatModel", "Message", "ensure_tiktoken_cache", "make_llm", "parse_spec"]

SPEC_FORMS = "'local', 'gguf:PATH', 'openai:MODEL' or 'none'"


def parse_spec(spec: str) -> tuple[str, str]:
    """Split a spec into (kind, argument): ``("gguf", "/m.gguf")``, ``("local", "")``; bad specs raise."""
    spec = spec.strip()
    if spec in ("local", "none"):
        return spec, ""
    kind, _, arg = spec.partition(":")
    if kind in ("gguf", "openai") and arg.strip():
        return kind, arg.strip()
    raise ModelError(f"unknown model spec '{spec}'", hint=f"use {SPEC_FORMS}")


def make_llm(settings: Settings) -> ChatModel | None:
    """Build the chat model ``settings.llm.spec`` names; ``None`` for ``none``."""
    cfg = settings.llm
    kind, arg = parse_spec(cfg.spec)
    if kind == "none":
        return None
    if kind == "openai":
        from .openai_chat import OpenAIChatModel

        return OpenAIChatModel(arg, cfg.context_window, cfg.timeout_s, cfg.retries)
    from .local import LocalChatModel, bundled_gguf

    return LocalChatModel(bundled_gguf() if kind == "local" else arg, cfg.context_window, cfg.threads)
