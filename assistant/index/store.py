"""Chroma storage: one collection of chunks (vectors + metadata) and one of articles.

The article record is the commit point. An article's chunks carry its content hash in their ids and
metadata; new chunks are written first, then the article record names the new hash, then the old
chunks are deleted. Readers only trust chunks whose hash matches the article record, so after a crash
every article is either fully old or fully new, and the next ingest finishes the job.

A chunk's text is metadata, not a Chroma document: Chroma keeps a trigram full-text index of documents,
which this project never queries (BM25 has its own index), and which was most of the cost of a write
(2,400 corpus chunks: 4.3 s of CPU as documents, 2.6 s as metadata). An article's body stays a document:
the article records' metadata is read whole every time the index is opened (``states``), and bodies
there would be read with it (609 bodies cost 2.6 s more to write as documents, once per ingest).
"""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..core.article import Article
from ..core.errors import ConfigError, StoreError
from ..text.dates import to_timestamp
from ..text.markers import strip_citation_marks
from .space import disk_full, out_of_space

ARTICLE_FIELDS = ("title", "source", "author", "published_at", "url", "category", "path")
TEXT = "text"  # metadata key of a chunk's text
TIE_MARGIN = 8  # extra nearest chunks fetched so that ties at the cut are broken by id


@dataclass(frozen=True)
class ArticleState:
    content_hash: str
    body_hash: str
    n_chunks: int


def chunk_id(article_id: str, content_hash: str, index: int) -> str:
    return f"{article_id}-{content_hash[:8]}-{index:04d}"


_START_HINT = "start it with 'chroma run --path DIR --port PORT' or drop --chroma-url"


def _server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, TLS?) of a Chroma server URL, or a ``ConfigError`` saying what is wrong with it."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # out of range, or not a number
        port = 0
    if parts.scheme not in ("http", "https"):
        problem = "it must start with http:// or https://"
    elif not parts.hostname:
        problem = "it names no host"
    elif port == 0:
        problem = f"the port '{parts.netloc.rpartition(':')[2]}' is not a number from 1 to 65535"
    else:
        return parts.hostname, port or (443 if parts.scheme == "https" else 8000), parts.scheme == "https"
    raise ConfigError(f"bad Chroma URL '{url}': {problem}", hint="use http://HOST:PORT")


@contextmanager
def _reachable(url: str) -> Iterator[None]:
    """Turn a lost connection to the Chroma server (refused, reset, closed mid-answer) into one ``StoreError``."""
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        raise _unreachable(url, exc) from None


def _unreachable(url: str, exc: Exception) -> StoreError:
    why = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return StoreError(f"cannot reach the Chroma server at {url}: {why}", hint=_START_HINT)


class _ServerCollection:
    """A collection on a Chroma server: every call goes through ``_reachable``."""

    def __init__(self, collection, url: str) -> None:
        self._collection, self._url = collection, url

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._collection, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with _reachable(self._url):
                return value(*args, **kwargs)

        return call


def _client(settings, writing: bool = True):  # -> chromadb.api.ClientAPI
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        from chromadb.errors import ChromaError

        host, port, ssl = _server_address(settings.chroma_url)
        try:
            with _reachable(settings.chroma_url):
                client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
                client.heartbeat()
        except (ValueError, ChromaError) as exc:  # what chromadb makes of a failed connection while it connects
            raise _unreachable(settings.chroma_url, exc) from None
        return client
    path = Path(settings.index) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        # Chroma writes to its database as it opens; on a full disk a reader opens a copy elsewhere instead.
        if writing or not out_of_space(exc, settings.index):
            raise
    return chromadb.PersistentClient(path=str(_snapshot(path)), settings=chroma_settings)


def _snapshot(path: Path) -> Path:
    """A copy of the Chroma folder in the system's temporary folder, removed when the process ends."""
    import atexit
    import sys
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="assistant-chroma-"))
    atexit.register(shutil.rmtree, copy, True)
    shutil.copytree(path, copy / "chroma")
    print(f"note: the disk holding {path.parent} is full; reading a copy of the index", file=sys.stderr)
    return copy / "chroma"


class Store:
    """The chunk and article collections for one embedder + chunking identity."""

    def __init__(self, settings, writing: bool = False) -> None:
        """``writing``: the ingest's store, which must never fall back to a read-only copy of the index."""
        self.settings = settings
        self.writing = writing
        self.identity = settings.identity()
        self._states: dict[str, ArticleState] | None = None
        self._open()
        self._search_breadth(settings.retrieval.dense_ef_search)

    def _open(self) -> None:
        settings = self.settings
        self.client = _client(settings, self.writing)
        meta = {"hnsw:space": "cosine", "embedder": settings.embed.model,
                "max_wordpieces": settings.chunk.max_wordpieces, "overlap": settings.chunk.overlap_wordpieces}
        url = settings.chroma_url
        with _reachable(url) if url else nullcontext():
            self.chunks = self.client.get_or_create_collection(f"chunks_{self.identity}", metadata=meta, embedding_function=None)
            self.articles = self.client.get_or_create_collection(f"articles_{self.identity}", metadata=meta, embedding_function=None)
            self._batch = max(1, min(self.client.get_max_batch_size(), 2000))
        if url:  # a server can go away at any call
            self.chunks, self.articles = _ServerCollection(self.chunks, url), _ServerCollection(self.articles, url)

    def reopen(self) -> None:
        """A fresh view of the index, which sees what other processes wrote since this one opened it."""
        if not self.settings.chroma_url:
            try:
                self.client.close()
            except Exception:  # noqa: BLE001 - a client that cannot close cleanly is dropped all the same
                pass
        self._open()
        self._states = None

    def read(self, call: Callable[[], Any]) -> Any:
        """``call()`` (a read of the collections), retried on a fresh view when another process's write left
        this one's stale: Chroma then fails with 'Error finding id' for a chunk deleted since it was opened."""
        from chromadb.errors import InternalError

        cfg = self.settings.retrieval
        wait = cfg.read_retry_wait_s
        for attempt in range(cfg.read_retries + 1):
            try:
                return call()
            except InternalError as exc:
                if attempt == cfg.read_retries:
                    first = (str(exc).strip().splitlines() or ["internal error"])[0][:200]
                    raise StoreError(f"the index at {self.location} kept changing under this read: {first}",
                                     hint="retry once the ingest writing to it has finished") from None
            time.sleep(wait)
            wait *= 2
            self.reopen()
        raise AssertionError("unreachable")

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.index)

    def _search_breadth(self, ef_search: int) -> None:
        """Set the chunk index's HNSW search breadth (a query-time setting, so existing indexes take it too)."""
        with warnings.catch_warnings():  # chromadb warns that the collection has no embedding function: by design
            warnings.simplefilter("ignore", DeprecationWarning)
            hnsw = (self.chunks.configuration or {}).get("hnsw") or {}
        if hnsw and hnsw.get("ef_search") != ef_search:
            self.chunks.modify(configuration={"hnsw": {"ef_search": ef_search}})

    # ---- reading -------------------------------------------------------------------------
    def states(self, refresh: bool = False) -> dict[str, ArticleState]:
        """Current content hash per article id (the commit record readers trust)."""
        if self._states is None or refresh:
            states: dict[str, ArticleState] = {}
            for ids, metas, _ in self._scan("articles"):
                for aid, meta in zip(ids, metas):
                    states[aid] = ArticleState(str(meta["content_hash"]), str(meta["body_hash"]), int(meta["n_chunks"]))
            self._states = states
        return self._states

    def is_current(self, meta: dict[str, Any]) -> bool:
        state = self.states().get(str(meta.get("article_id")))
        return state is not None and state.content_hash == meta.get("content_hash")

    def _scan(self, collection: str, include: tuple[str, ...] = ("metadatas",), where: dict | None = None,
              page: int = 1000) -> Iterator[tuple[list[str], list[dict], list[str] | None]]:
        offset = 0
        while True:
            # By name: a retry reads the reopened collection.
            got = self.read(lambda: getattr(self, collection).get(include=list(include), limit=page, offset=offset,
                                                                  where=where))
            ids = got["ids"]
            if not ids:
                return
            yield ids, got.get("metadatas") or [{}] * len(ids), got.get("documents")
            offset += len(ids)
            if len(ids) < page:
                return

    def _current(self, ids: Sequence[str], metas: Sequence[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of the current chunks among ``ids``; the text is taken out of the metadata, without
        the citation markers an index from before the loaders stripped them may hold."""
        return [(cid, strip_citation_marks(meta.pop(TEXT, "")), meta) for cid, meta in zip(ids, metas)
                if self.is_current(meta)]

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every current chunk: (id, text, metadata). Used to build the BM25 sidecar."""
        for ids, metas, _ in self._scan("chunks"):
            yield from self._current(ids, metas)

    def nearest(self, vector, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Ids and distances of the ``n`` chunks nearest to ``vector``, current or not, equal distances in id
        order. No metadata: reading it costs ~10 ms a query (measured, 60 results), and a retriever holds
        every current chunk's already. A few more than ``n`` are asked for so that chunks tied at the cut
        (an article reprinted by two outlets) are chosen by id, not by the order Chroma happened to visit them."""
        got = self.read(lambda: self.chunks.query(query_embeddings=[vector], n_results=n + TIE_MARGIN, where=where,
                                                  include=["distances"]))
        hits = sorted(zip(got["distances"][0], got["ids"][0]))
        return [(cid, float(dist)) for dist, cid in hits[:n]]

    def article_chunks(self, article_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """An article's current chunks, in no particular order: (id, text, metadata)."""
        got = self.read(lambda: self.chunks.get(where={"article_id": article_id}, include=["metadatas"]))
        return self._current(got["ids"], got["metadatas"])

    def iter_articles(self, with_body: bool = False) -> Iterator[tuple[str, dict[str, Any], str | None]]:
        include = ("metadatas", "documents") if with_body else ("metadatas",)
        for ids, metas, docs in self._scan("articles", include):
            for i, (aid, meta) in enumerate(zip(ids, metas)):
                yield aid, meta, (strip_citation_marks(docs[i]) if docs else None)

    def get_article(self, article_id: str) -> tuple[dict[str, Any], str] | None:
        got = self.read(lambda: self.articles.get(ids=[article_id], include=["metadatas", "documents"]))
        if not got["ids"]:
            return None
        return got["metadatas"][0], strip_citation_marks(got["documents"][0] or "")

    def count_chunks(self) -> int:
        return sum(state.n_chunks for state in self.states().values())

    # ---- writing -------------------------------------------------------------------------
    def check_space(self) -> None:
        """Refuse to start a batch on a disk with less than ``ingest.min_free_mb`` free (embedded index only):
        Chroma fails in the middle of a compaction when it runs out, not cleanly before."""
        if not self.settings.chroma_url:
            free = shutil.disk_usage(Path(self.settings.index)).free
            if free < self.settings.ingest.min_free_mb * 1e6:
                raise disk_full(self.settings.index)

    def write(self, items: Sequence[tuple[Article, list[str], list[list[float]]]]) -> None:
        """Store a batch of articles with their chunks and vectors, committing each article atomically; a
        disk that fills up on the way is one ``DiskFullError`` (the batch is repaired by the next ingest)."""
        self.check_space()
        try:
            self._write(items)
        except Exception as exc:
            if not self.settings.chroma_url and out_of_space(exc, self.settings.index):
                raise disk_full(self.settings.index) from None
            raise

    def _write(self, items: Sequence[tuple[Article, list[str], list[list[float]]]]) -> None:
        states = self.states()
        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        vecs: list[list[float]] = []
        for article, chunks, vectors in items:
            base = _article_meta(article)
            for i, (text, vec) in enumerate(zip(chunks, vectors)):
                ids.append(chunk_id(article.id, article.content_hash, i))
                vecs.append(vec)
                metas.append({**base, "article_id": article.id, "position": i, "n_chunks": len(chunks), TEXT: text})
        for start in range(0, len(ids), self._batch):
            end = start + self._batch
            self.chunks.upsert(ids=ids[start:end], metadatas=metas[start:end], embeddings=vecs[start:end])
        # Commit point: the article records now name the new content hashes.
        records = [(a, _mean(v)) for a, _, v in items]
        for start in range(0, len(records), self._batch):
            part = records[start:start + self._batch]
            self.articles.upsert(
                ids=[a.id for a, _ in part], documents=[a.body for a, _ in part], embeddings=[v for _, v in part],
                metadatas=[{**_article_meta(a), "body_hash": a.body_hash, "n_chunks": len(c)}
                           for (a, _), (_, c, _) in zip(part, items[start:start + self._batch])],
            )
        stale: list[str] = []
        for article, chunks, _ in items:
            old = states.get(article.id)
            if old is not None and old.content_hash != article.content_hash:
                stale.extend(chunk_id(article.id, old.content_hash, i) for i in range(old.n_chunks))
            states[article.id] = ArticleState(article.content_hash, article.body_hash, len(chunks))
        self.delete_chunks(stale)

    def delete_chunks(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), self._batch):
            self.chunks.delete(ids=ids[start:start + self._batch])

    def orphans(self) -> list[str]:
        """Ids of stored chunks whose article record names another version (or no article): what two writers
        racing on one server leave behind. Safe to delete only while no ingest writes (the writer's lease)."""
        self.states(refresh=True)
        return [cid for ids, metas, _ in self._scan("chunks") for cid, meta in zip(ids, metas) if not self.is_current(meta)]

    def side_collection(self, name: str):  # -> chromadb Collection
        """Another collection of this index (the writer's lease), reached like the chunk collections."""
        col = self.client.get_or_create_collection(f"{name}_{self.identity}", embedding_function=None)
        return _ServerCollection(col, self.settings.chroma_url) if self.settings.chroma_url else col

    def repair(self, pending: Iterable[tuple[str, str, int]]) -> int:
        """After an interrupted ingest: drop chunks of (article, hash, n) that lost or never won the commit."""
        states = self.states(refresh=True)
        orphans = [chunk_id(aid, h, i) for aid, h, n in pending
                   if (states.get(aid) is None or states[aid].content_hash != h) for i in range(n)]
        self.delete_chunks(orphans)
        return len(orphans)


def _article_meta(article: Article) -> dict[str, Any]:
    meta: dict[str, Any] = {name: getattr(article, name) or "" for name in ARTICLE_FIELDS}
    meta["content_hash"] = article.content_hash
    stamp = to_timestamp(article.published_at)
    if stamp is not None:
        meta["published_ts"] = stamp
    return meta


def _mean(vectors: list[list[float]]) -> list[float]:
    """Article vector: the normalised mean of its chunk vectors (for article-level ranking)."""
    import numpy as np

    total = np.asarray(vectors, dtype=np.float64).mean(axis=0)
    norm = float(np.linalg.norm(total)) or 1.0
    return (total / norm).tolist()
