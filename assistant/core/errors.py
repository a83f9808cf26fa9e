"""Typed library errors; the CLI turns them into one-line messages at the edge."""

from __future__ import annotations


class AssistantError(Exception):
    """Base error: ``str(err)`` is the one line the user sees; ``hint`` says how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class ConfigError(AssistantError):
    """Settings file, environment or flag values that cannot be used."""


class InputError(AssistantError):
    """Bad input from the user: missing paths, nothing usable, malformed query files."""


class IndexBusyError(AssistantError):
    """Another process holds the index lock."""


class StoreError(AssistantError):
    """The Chroma server cannot be reached, or stopped answering mid-operation."""


class DiskFullError(StoreError):
    """The disk holding the index has too little space left for the next batch."""


class EmptyIndexError(AssistantError):
    """The index has no articles yet."""


class ModelError(AssistantError):
    """A model could not be loaded or called (missing files, bad spec, server errors)."""

    def __init__(self, message: str, hint: str | None = None, retryable: bool = False) -> None:
        super().__init__(message, hint)
        self.retryable = retryable


class PromptError(AssistantError):
    """A prompt file uses a variable the code does not provide, or misses a required one."""
