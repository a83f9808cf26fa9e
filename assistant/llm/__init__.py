"""Language-model providers behind one interface, chosen by a spec string.

Specs: ``local`` (bundled SmolLM2 GGUF, in-process), ``gguf:PATH``, ``openai:MODEL``
(OPENAI_API_KEY / OPENAI_BASE_URL) and ``none`` (no model: extractive answers elsewhere).
Importing this package loads neither llama_cpp nor openai; a provider imports its library when built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import ModelError
from .base import ChatModel, Message, ensure_tiktoken_cache

if TYPE_CHECKING:
    from ..core.settings import Settings

__all__ = ["FROM_SETTINGS", "ChatModel", "Message", "chosen_llm", "ensure_tiktoken_cache", "make_llm", "parse_spec"]


class _FromSettings:
    """The default of every ``llm=`` parameter: build the model the settings name (``None`` means no model)."""

    def __repr__(self) -> str:
        return "FROM_SETTINGS"


FROM_SETTINGS: Any = _FromSettings()

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


def chosen_llm(settings: Settings, llm: Any = FROM_SETTINGS) -> ChatModel | None:
    """``llm`` as given (a model, or ``None`` for none), or the settings' model for ``FROM_SETTINGS``."""
    return make_llm(settings) if llm is FROM_SETTINGS else llm
