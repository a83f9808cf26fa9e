"""Read-only summaries of an index for ``assistant index``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ..core.settings import Settings


def _disk_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0


def article_rows(settings: Settings) -> list[dict[str, Any]]:
    """Every article (id, title, source, date, url, chunks), newest first."""
    from .store import Store

    rows = [{"id": aid, "title": m.get("title", ""), "source": m.get("source", ""),
             "published_at": m.get("published_at", ""), "url": m.get("url", ""), "chunks": m.get("n_chunks", 0)}
            for aid, m, _ in Store(settings).iter_articles()]
    return sorted(rows, key=lambda r: r["published_at"], reverse=True)


def index_stats(settings: Settings) -> dict[str, Any]:
    rows = article_rows(settings)
    dates = sorted(r["published_at"][:10] for r in rows if r["published_at"])
    outlets = Counter(r["source"] or "(unknown)" for r in rows)
    return {
        "location": settings.chroma_url or str(settings.index),
        "articles": len(rows),
        "chunks": sum(int(r["chunks"]) for r in rows),
        "outlets": dict(outlets.most_common()),
        "date_range": [dates[0] if dates else None, dates[-1] if dates else None],
        "disk_bytes": _disk_bytes(Path(settings.index)),
        "embedder": settings.embed.model,
        "collection": f"chunks_{settings.identity()}",
    }
