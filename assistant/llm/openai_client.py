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
from ..core.sanitize import redact_secrets

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
    key = _configured_key()
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
    """The ``ModelError`` a user should see for an ``openai`` exception (``retryable`` set for transient ones).

    Keys and bearer tokens are redacted from it: servers echo requests in their error text.
    """
    message, hint, retryable = _explain(exc, model)
    return ModelError(_one_line(redact_secrets(message, [_configured_key()])), hint=hint, retryable=retryable)


def _explain(exc: openai.APIError, model: str) -> tuple[str, str | None, bool]:
    """(message, hint, retryable) for an ``openai`` exception."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return f"model server at {_url(exc)} timed out", "raise llm.timeout_s", True
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect to model server at {_url(exc)}", "is it running? check OPENAI_BASE_URL", True
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"model server at {_url(exc)} rejected the API key", "check OPENAI_API_KEY", False
    if isinstance(exc, openai.NotFoundError):
        return (f"unknown model '{model}' at {_url(exc)}",
                "check the name after 'openai:', and that OPENAI_BASE_URL ends in /v1", False)
    status = getattr(exc, "status_code", None)
    retryable = isinstance(exc, openai.RateLimitError) or (status is not None and status >= 500)
    return f"model '{model}' failed: {exc}", f"HTTP {status}" if status else None, retryable


def _configured_key() -> str | None:
    return os.environ.get("OPENAI_API_KEY") or None


def _url(exc: openai.APIError) -> str:
    """The address of the failed request, so the message says where we tried."""
    return str(exc.request.url)


def _one_line(text: str, limit: int = 360) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
