"""The evaluation index: the corpus ingested once per (corpus hash, embedding/chunking identity)."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.settings import Settings
from .datasets import file_hash


def cache_root() -> Path:
    return Path(os.environ.get("ASSISTANT_EVAL_CACHE", ".cache/eval-index"))


def eval_settings(settings: Settings, corpus_path: str | Path, progress: bool | None = None) -> Settings:
    """Settings whose index holds exactly ``corpus_path``; builds it on first use, reuses it after."""
    from ..ingest.pipeline import ingest

    key = f"{file_hash(corpus_path)[:12]}-{settings.identity()}"
    scoped = settings.model_copy(update={"index": cache_root() / key, "chroma_url": None})
    done = Path(scoped.index) / "COMPLETE"
    if not done.exists():
        report = ingest([corpus_path], scoped, progress=progress)
        if report.usable == 0:
            from ..core.errors import InputError

            raise InputError(f"no usable articles in {corpus_path}")
        done.write_text(f"{report.usable} articles\n")
    return scoped
