"""The stories kept with the index: each article's story and event cluster, refreshed after every ingest.

``stories-<identity>.json`` maps article id -> story, cluster, content hash and the fields a listing
shows; ``stories-<identity>.npz`` holds the MinHash signatures so a refresh sketches only new or
changed articles. Both are replaced atomically, after the articles they describe are committed; a
refresh finding articles it does not know (a run killed in between) simply files them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.settings import Settings
from ..text.dates import to_timestamp
from .stories import SCHEME, Deduper, cluster_stories, signature

SHOWN = ("title", "source", "published_at", "url")


@dataclass
class StoryBook:
    """article id -> {"story", "cluster", "hash", title, source, published_at, url}."""

    articles: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, settings: Settings, identity: str) -> StoryBook:
        try:
            return cls(json.loads(_paths(settings, identity)[0].read_text(encoding="utf-8"))["articles"])
        except (FileNotFoundError, ValueError, KeyError):
            return cls({})

    def story_of(self, article_id: str) -> str:
        return self.articles.get(article_id, {}).get("story", article_id)

    def members(self, story: str) -> list[str]:
        return [aid for aid, row in self.articles.items() if row["story"] == story]

    def clusters(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for aid, row in self.articles.items():
            out.setdefault(row["cluster"], []).append(aid)
        return out


def _paths(settings: Settings, identity: str) -> tuple[Path, Path]:
    base = Path(settings.index) / f"stories-{identity}"
    return base.with_suffix(".json"), base.with_suffix(".npz")


def refresh_stories(store, settings: Settings) -> StoryBook:  # store: index.store.Store
    """File the articles the book does not know (or whose text changed) into stories, then regroup the
    stories into event clusters; returns the book as saved."""
    book = StoryBook.load(settings, store.identity)
    states = store.states()
    stale = {aid for aid, st in states.items() if book.articles.get(aid, {}).get("hash") != st.content_hash}
    gone = set(book.articles) - set(states)
    if not stale and not gone:
        return book
    sketches = _load_sketches(settings, store.identity, set(states) - stale)
    rows: dict[str, dict[str, Any]] = {aid: row for aid, row in book.articles.items() if aid in states and aid not in stale}
    vectors: dict[str, np.ndarray] = {}
    for ids, metas, docs, embeds in _scan_articles(store):
        for aid, meta, doc, vec in zip(ids, metas, docs, embeds):
            vectors[aid] = np.asarray(vec, dtype=np.float32)
            if aid in stale:
                sketches[aid] = signature(doc or "", settings.stories)
                rows[aid] = {"hash": meta.get("content_hash", ""), **{k: str(meta.get(k, "")) for k in SHOWN}}
    order = sorted(rows, key=lambda aid: (rows[aid]["published_at"] or "9999", aid))
    dedup = Deduper(settings.stories)
    for aid in order:
        rows[aid]["story"] = dedup.add(aid, *sketches[aid])
    _cluster(rows, vectors, settings)
    _save(settings, store.identity, rows, sketches)
    return StoryBook(rows)


def _cluster(rows: dict[str, dict[str, Any]], vectors: dict[str, np.ndarray], settings: Settings) -> None:
    """Each story's cluster, from its first article's vector and date; every article gets its story's."""
    firsts: dict[str, str] = {}
    for aid in sorted(rows, key=lambda a: (rows[a]["published_at"] or "9999", a)):
        firsts.setdefault(rows[aid]["story"], aid)
    keys = list(firsts)
    dim = len(next(iter(vectors.values()))) if vectors else 1
    matrix = np.stack([vectors.get(firsts[k], np.zeros(dim, np.float32)) for k in keys]) if keys else np.zeros((0, dim))
    stamps = [to_timestamp(rows[firsts[k]]["published_at"]) if rows[firsts[k]]["published_at"] else None for k in keys]
    cluster = cluster_stories(keys, matrix, stamps, settings.stories)
    for row in rows.values():
        row["cluster"] = cluster[row["story"]]


def _scan_articles(store, page: int = 500):
    """(ids, metadatas, documents, embeddings) of every article record, a page at a time."""
    offset = 0
    while True:
        got = store.articles.get(include=["metadatas", "documents", "embeddings"], limit=page, offset=offset)
        if not got["ids"]:
            return
        yield got["ids"], got["metadatas"], got["documents"], got["embeddings"]
        offset += len(got["ids"])


def _load_sketches(settings: Settings, identity: str, keep: set[str]) -> dict[str, tuple[object, int]]:
    from datasketch import MinHash

    try:
        data = np.load(_paths(settings, identity)[1], allow_pickle=False)
    except (FileNotFoundError, ValueError, OSError):
        return {}
    out: dict[str, tuple[object, int]] = {}
    if str(data.get("scheme", "")) != SCHEME or data["hashes"].shape[1:] != (settings.stories.num_perm,):
        return out  # made another way: every article is sketched again
    for aid, values, size in zip(data["ids"].tolist(), data["hashes"], data["sizes"].tolist()):
        if aid in keep:
            out[aid] = (MinHash(num_perm=settings.stories.num_perm, seed=1, hashvalues=values, scheme=SCHEME), int(size))
    return out


def _save(settings: Settings, identity: str, rows: dict, sketches: dict[str, tuple[object, int]]) -> None:
    book_path, sketch_path = _paths(settings, identity)
    ids = sorted(rows)
    tmp = sketch_path.with_name(f".{sketch_path.stem}.{os.getpid()}.npz")
    np.savez(tmp, ids=np.array(ids, dtype=str),
             hashes=np.stack([sketches[a][0].hashvalues for a in ids]) if ids else np.zeros((0, 1), np.uint64),
             sizes=np.array([sketches[a][1] for a in ids], dtype=np.int64), scheme=np.array(SCHEME))
    tmp.replace(sketch_path)
    tmp_book = book_path.with_name(f".{book_path.stem}.{os.getpid()}.json")
    tmp_book.write_text(json.dumps({"articles": rows}), encoding="utf-8")
    tmp_book.replace(book_path)


def cluster_rows(book: StoryBook, since: str = "") -> list[dict[str, Any]]:
    """The ``stories --json`` shape: one row per event cluster, latest first; ``since`` (YYYY-MM-DD) keeps
    clusters with an article on or after it."""
    out = []
    for cid, ids in book.clusters().items():
        arts = sorted(({"id": aid, "story": book.articles[aid]["story"], **{k: book.articles[aid][k] for k in SHOWN}}
                       for aid in ids), key=lambda a: (a["published_at"] or "9999", a["id"]))
        dates = [a["published_at"][:10] for a in arts if a["published_at"]]
        if since and (not dates or max(dates) < since):
            continue
        out.append({"id": cid, "size": len(arts), "stories": len({a["story"] for a in arts}),
                    "outlets": sorted({a["source"] for a in arts if a["source"]}),
                    "first": min(dates, default=""), "last": max(dates, default=""), "title": arts[0]["title"],
                    "articles": arts})
    return sorted(out, key=lambda c: (c["last"], c["size"], c["id"]), reverse=True)
