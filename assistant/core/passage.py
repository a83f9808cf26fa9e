"""What retrieval returns and answering, briefing and evaluation consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ArticleRef:
    """The article a passage comes from (the Chroma metadata every chunk carries)."""

    id: str
    title: str
    source: str
    published_at: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "source": self.source,
                "published_at": self.published_at, "url": self.url}


@dataclass
class Passage:
    """One retrieved chunk: its text is at most 256 MiniLM wordpieces."""

    chunk_id: str
    text: str
    article: ArticleRef
    score: float = 0.0
    position: int = 0
    also_reported_by: list[dict[str, str]] = field(default_factory=list)  # other outlets' copies of its story

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> "Passage":
        ref = ArticleRef(
            id=str(meta.get("article_id", "")), title=str(meta.get("title", "")), source=str(meta.get("source", "")),
            published_at=str(meta.get("published_at", "")), url=str(meta.get("url", "")),
        )
        return cls(chunk_id=chunk_id, text=text, article=ref, score=score, position=int(meta.get("position", 0)))

    def to_dict(self, rank: int) -> dict[str, Any]:
        """The ``retrieve --json`` result shape (README, docs/ARCHITECTURE.md "Contracts")."""
        shape = {"rank": rank, "score": round(self.score, 6), "text": self.text, "chunk_id": self.chunk_id,
                 "article": self.article.to_dict()}
        if self.also_reported_by:
            shape["also_reported_by"] = self.also_reported_by
        return shape
