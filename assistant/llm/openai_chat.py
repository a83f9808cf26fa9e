"""Chat through any OpenAI-compatible endpoint: OpenAI itself, vLLM, Ollama, a llama.cpp server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import ChatModel, Message
from .openai_client import call_with_errors, make_client, translate

DEFAULT_CONTEXT = 4096
"""Assumed for models we know nothing about (a self-hosted server); set llm.context_window to change it."""
KNOWN_CONTEXT = {
    "gpt-4o": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-4-turbo": 128_000,
    "gpt-3.5-turbo": 16_385,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
}


class OpenAIChatModel(ChatModel):
    """``openai:MODEL``: one streaming chat-completions call per request."""

    def __init__(self, model: str, context_window: int = 0, timeout_s: float | None = None, retries: int = 2) -> None:
        self.model = model
        self.name = f"openai:{model}"
        self.context_window = context_window or _known_context(model)
        self.retries = retries
        self._client = make_client(timeout=timeout_s)

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None = None
    ) -> Iterator[str]:
        import openai

        args: dict[str, Any] = {"model": self.model, "messages": messages, "stream": True}
        if _is_reasoning_model(self.model):  # these reject max_tokens and a temperature
            args["max_completion_tokens"] = max_tokens
        else:
            args.update(max_tokens=max_tokens, temperature=temperature)
        if stop:
            args["stop"] = stop
        chunks = call_with_errors(lambda: self._client.chat.completions.create(**args), self.model, self.retries)
        try:
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APIError as exc:  # mid-stream: text was already yielded, so no retry
            raise translate(exc, self.model) from None


def _known_context(model: str) -> int:
    for prefix, size in KNOWN_CONTEXT.items():
        if model.startswith(prefix):
            return size
    return DEFAULT_CONTEXT


def _is_reasoning_model(model: str) -> bool:
    return model.startswith("gpt-5") or (len(model) > 1 and model[0] == "o" and model[1].isdigit())
