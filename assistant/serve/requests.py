"""What clients send: OpenAI's chat request (unknown fields allowed, as OpenAI clients send many), the
filters that may ride along in ``metadata`` or the body, and the brief and verify requests."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

FILTER_KEYS = ("since", "until", "source")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FilterFields(BaseModel):
    """Date and outlet filters: ``since``/``until`` are YYYY-MM-DD days, ``source`` one outlet or a list."""

    since: str | None = None
    until: str | None = None
    source: list[str] = Field(default_factory=list)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("since", "until", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def merged(self, metadata: dict[str, Any] | None) -> FilterFields:
        """These filters with ``metadata``'s filled in where the body gave none (OpenAI's ``metadata``
        carries strings only, so a client without extra-body support can still filter)."""
        meta = FilterFields.model_validate({k: v for k, v in (metadata or {}).items() if k in FILTER_KEYS})
        return FilterFields(since=self.since or meta.since, until=self.until or meta.until,
                            source=self.source or meta.source)


class TextPart(BaseModel):
    """One part of a message given as a list of parts; only text parts are understood."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        """The message's text; a non-text part (an image, a file) is a bad request."""
        if self.content is None or isinstance(self.content, str):
            return self.content or ""
        if any(p.type != "text" for p in self.content):
            raise ValueError("only text message parts are supported")
        return "\n".join(p.text or "" for p in self.content)


class ChatRequest(FilterFields):
    """``POST /v1/chat/completions``: OpenAI's request; ``model`` is echoed, not chosen."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    n: int = Field(1, ge=1, le=1)
    metadata: dict[str, Any] | None = None

    def filters(self) -> FilterFields:
        return FilterFields(since=self.since, until=self.until, source=self.source).merged(self.metadata)


class BriefRequest(_Strict, FilterFields):
    """``POST /v1/briefs``: a topic and filters; the note as JSON (default) or as an HTML page."""

    topic: str = Field(min_length=1)
    articles: int = Field(8, ge=1)
    format: Literal["json", "html"] = "json"


class Claim(_Strict):
    sentence: str = Field(min_length=1)
    evidence: list[str] = Field(min_length=1)


class VerifyRequest(_Strict):
    """``POST /v1/verify``: claims, each with the passage texts it rests on."""

    claims: list[Claim] = Field(min_length=1)
