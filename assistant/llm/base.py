"""The chat-model interface every provider implements, and the offline tiktoken setup.

A provider is one method, ``stream``: everything else (``complete``, token counting) has a default
here, so a new provider is one small file.
"""

from __future__ import annotations

import importlib.util
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tiktoken

Message = dict[str, str]


class ChatModel(ABC):
    """A chat language model that streams text for a list of ``{"role", "content"}`` messages."""

    name: str
    """Provider-qualified name, e.g. ``local:SmolLM2-135M-Instruct.Q4_1`` or ``openai:gpt-4o-mini``."""
    context_window: int
    """Tokens the model accepts, prompt and output together."""
    bundled: bool = False
    """The tiny model shipped with the project: good for phrasing, too small to write answers itself."""

    @abstractmethod
    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float, stop: list[str] | None = None
    ) -> Iterator[str]:
        """Yield the reply in pieces as the model produces them; raises ``ModelError`` on failure."""

    def complete(self, messages: list[Message], **kw: Any) -> str:
        """The whole reply at once (same arguments as ``stream``)."""
        return "".join(self.stream(messages, **kw))

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` costs this model; the default approximates with tiktoken for the model's name."""
        return len(tiktoken_encoding(self.name).encode(text, disallowed_special=()))


def ensure_tiktoken_cache() -> None:
    """Point tiktoken at the encodings llama-index-core ships, since they cannot be downloaded here.

    Found with ``find_spec`` on the top-level namespace package, so that nothing of llama_index is
    imported; a user's own ``TIKTOKEN_CACHE_DIR`` always wins.
    """
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return
    spec = importlib.util.find_spec("llama_index")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "core" / "_static" / "tiktoken_cache"
        if folder.is_dir():
            os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
            return


def encoding_name(model: str) -> str:
    """o200k_base for the gpt-4o and o-series families, cl100k_base for everything else."""
    bare = model.split(":", 1)[-1].lower()
    if bare.startswith(("gpt-4o", "gpt-4.1", "gpt-5", "chatgpt-4o")) or (
        len(bare) > 1 and bare[0] == "o" and bare[1].isdigit()
    ):
        return "o200k_base"
    return "cl100k_base"


@lru_cache(maxsize=4)
def _encoding(name: str) -> tiktoken.Encoding:
    ensure_tiktoken_cache()
    import tiktoken

    return tiktoken.get_encoding(name)


def tiktoken_encoding(model: str) -> tiktoken.Encoding:
    """The tiktoken encoding for ``model`` (loaded once, from the offline cache)."""
    return _encoding(encoding_name(model))
