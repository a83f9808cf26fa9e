"""The ``openai`` client for any OpenAI-compatible server, and one place that turns its errors into
one-line ``ModelError``s and retries the ones worth retrying.

Shared by the chat provider and the OpenAI embedder. ``openai`` is imported inside the functions so
that importing this module stays cheap.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.errors import ModelError

if TYPE_CHECKING:
    import openai

T = TypeVar("T")

NO_KEY = "No API key: set OPENAI_API_KEY or use --llm local"
PLACEHOLDER_KEY = "sk-no-key-required"
"""Sent to self-hosted servers (vLLM, Ollama, llama.cpp) that ignore keys but whose client needs one."""


def make_client(timeout: float | None = None, max_retries: int = 0) -> openai.OpenAI:
    """An ``openai.OpenAI`` honouring OPENAI_API_KEY and OPENAI_BASE_URL.

    Retries default to 0 because ``call_with_errors`` does them, with backoff and clear messages.
    ``timeout=None`` keeps the library's default (a 5 s connect timeout) rather than waiting forever.
    """
    key = os.environ.get("OPENAI_API_KEY") or None
    base_url = os.environ.get("OPENAI_BASE_URL") or None
    if key is None:
        if base_url is None or "api.openai.com" in base_url:
            raise ModelError(NO_KEY)
        key = PLACEHOLDER_KEY
    import openai

    options: dict[str, Any] = {"max_retries": max_retries}
    if timeout is not None:
        options["timeout"] = timeout
    return openai.OpenAI(api_key=key, base_url=base_url, **options)


def call_with_errors(fn: Callable[[], T], model: str, retries: int = 2, backoff_s: float = 0.5) -> T:
    """Run one API call, retrying 429/5xx/connection errors with exponential backoff.

    Anything else, or the last failure, is raised as a one-line ``ModelError`` naming what to fix.
    """
    import openai

    for attempt in range(retries + 1):
        try:
            return fn()
        except openai.APIError as exc:
            error = translate(exc, model)
            if not error.retryable or attempt == retries:
                raise error from None
        time.sleep(min(backoff_s * 2**attempt, 30.0))
    raise AssertionError("unreachable: the loop returns or raises")


def translate(exc: openai.APIError, model: str) -> ModelError:
    """The ``ModelError`` a user should see for an ``openai`` exception (``retryable`` set for transient ones)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return ModelError(f"model server at {_url(exc)} timed out", hint="raise llm.timeout_s", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return ModelError(
            f"cannot connect to model server at {_url(exc)}",
            hint="is it running? check OPENAI_BASE_URL",
            retryable=True,
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelError(f"model server at {_url(exc)} rejected the API key", hint="check OPENAI_API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return ModelError(
            f"unknown model '{model}' at {_url(exc)}",
            hint="check the name after 'openai:', and that OPENAI_BASE_URL ends in /v1",
        )
    status = getattr(exc, "status_code", None)
    retryable = isinstance(exc, openai.RateLimitError) or (status is not None and status >= 500)
    hint = f"HTTP {status}" if status else None
    return ModelError(f"model '{model}' failed: {_one_line(exc)}", hint=hint, retryable=retryable)


def _url(exc: openai.APIError) -> str:
    """The address of the failed request, so the message says where we tried."""
    return str(exc.request.url)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."
