"""The article model every loader produces and every later stage consumes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit, urlunsplit

_WS = re.compile(r"\s+")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    """Drop query strings, fragments and trailing slashes so tracking variants share one id."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


@dataclass
class Article:
    """A news article; ``published_at`` is an ISO 8601 date or datetime string, or empty."""

    title: str
    body: str
    source: str = ""
    author: str = ""
    published_at: str = ""
    url: str = ""
    category: str = ""
    path: str = ""
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.make_id()

    def make_id(self) -> str:
        """Stable id: from the URL when present, else from outlet + title + date."""
        if self.url:
            return "u" + _digest(normalise_url(self.url))[:16]
        return "a" + _digest(self.source.lower(), _WS.sub(" ", self.title.lower()).strip(), self.published_at[:10])[:16]

    @property
    def body_hash(self) -> str:
        """Hash of the whitespace-normalised body: the same text under another path is a duplicate."""
        return _digest(_WS.sub(" ", self.body).strip())[:16]

    @property
    def content_hash(self) -> str:
        """Hash of everything stored for the article: any change means re-chunking it."""
        return _digest(self.title, self.source, self.author, self.published_at, self.url, self.category, self.body)[:16]

    def to_dict(self) -> dict[str, str]:
        return asdict(self)
