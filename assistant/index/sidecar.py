"""The BM25 sidecar: llama-index's BM25Retriever (bm25s + stemming) over exactly the current chunks,
and the chunks' sentence vectors (``sentence_vectors``), which are derived from the same texts.

It lives in the index folder under a generation key (a hash of every article's content hash), so it
is rebuilt whenever Chroma changed and can never disagree with it, even after an interrupted ingest.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import math
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..core.settings import Settings
from ..text.markers import strip_citation_marks

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s's default token pattern
_BUILD_LOCK = ".build.lock"
_META_KEYS = ("article_id", "content_hash", "title", "source", "published_at", "published_ts", "url", "position")


def generation(store) -> str:
    """Changes whenever any article's stored version changes."""
    digest = hashlib.sha256()
    for aid, state in sorted(store.states().items()):
        digest.update(f"{aid}:{state.content_hash}\n".encode())
    return digest.hexdigest()[:16]


def _folder(settings: Settings, identity: str) -> Path:
    return Path(settings.index) / f"bm25-{identity}"


def _complete(folder: Path) -> bool:
    """A finished sidecar: an empty index's marker, or the last file a build writes (a sidecar from before
    sentence vectors has the BM25 files only)."""
    from .sentence_vectors import VECTORS_FILE

    return (folder / "EMPTY").exists() or (folder / VECTORS_FILE).exists()


@contextmanager
def _staging(root: Path) -> Iterator[Path]:
    """A private folder to build in, under a shared lock on ``root``: while any build holds it, ``_sweep``
    leaves every staging folder alone. The kernel drops the lock of a killed builder."""
    with open(root / _BUILD_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _sweep(root: Path) -> None:
    """Remove the staging folders of builds that died (kill -9, a crash), when no build is running."""
    stale = list(root.glob(".build-*"))
    if not stale:
        return
    try:
        with open(root / _BUILD_LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            for folder in stale:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:  # a build is running (its folder is not litter), or the index is read-only
        pass


def refresh_sidecar(store, settings: Settings, spare: bool = False) -> Path:
    """Build the sidecar for the store's current generation unless it exists; drop older ones and the
    leftovers of interrupted builds. ``spare`` (readers): when the index's disk is full, build it in the
    system's temporary folder for this process instead, so reads keep working on what was committed."""
    root = _folder(settings, store.identity)
    target = root / generation(store)
    _sweep(root)
    if _complete(target):
        return target
    nodes = _nodes(store)
    try:
        return _build(nodes, root, target, settings)
    except Exception as exc:
        from .space import out_of_space

        if not (spare and out_of_space(exc, settings.index)):
            raise
    spare_root = Path(tempfile.mkdtemp(prefix="assistant-bm25-"))
    atexit.register(shutil.rmtree, spare_root, True)
    return _build(nodes, spare_root, spare_root / target.name, settings)


def _nodes(store) -> list:  # -> list[llama_index TextNode]
    from llama_index.core.schema import TextNode

    nodes = []
    for cid, text, meta in store.iter_chunks():
        kept = {k: meta[k] for k in _META_KEYS if k in meta}
        # Title and outlet are indexed with every chunk: questions name them ("according to The Verge").
        nodes.append(TextNode(id_=cid, text=text, metadata=kept,
                              excluded_embed_metadata_keys=[k for k in kept if k not in ("title", "source")]))
    return nodes


def _build(nodes: list, root: Path, target: Path, settings: Settings) -> Path:
    """The sidecar of ``nodes`` staged under ``root`` and renamed to ``target``; older ones under ``root`` go."""
    from llama_index.retrievers.bm25 import BM25Retriever

    from .sentence_vectors import SentenceVectors

    root.mkdir(parents=True, exist_ok=True)
    with _staging(root) as staging:
        if nodes:
            BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=1).persist(str(staging), show_progress=False)
            SentenceVectors.build([n.text for n in nodes], settings.embed.models_dir, staging)
        else:
            (staging / "EMPTY").touch()
        shutil.rmtree(target, ignore_errors=True)  # a sidecar from before sentence vectors
        try:
            staging.rename(target)
        except OSError:
            if not _complete(target):  # not another process's finished copy either
                raise
    _drop_old(root, target)
    return target


def _drop_old(root: Path, target: Path) -> None:
    """Remove older sidecars but the newest of them: a reader that opened it just before this build (a chat
    session, an 'ask') still loads its sentence vectors from it, and moves to ``target`` at its next question."""
    older = sorted((p for p in root.iterdir() if p != target and not p.name.startswith(".") and p.is_dir()),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in older[1:]:
        shutil.rmtree(old, ignore_errors=True)


class BM25Index:
    """Loaded sidecar with per-query filter masks (the retriever's own filters are fixed at build)."""

    def __init__(self, store, settings: Settings) -> None:
        folder = refresh_sidecar(store, settings, spare=True)
        self._folder, self._models_dir = folder, settings.embed.models_dir
        self.generation = folder.name
        self._sentences = None
        self.ids: list[str] = []
        self.meta: list[dict[str, Any]] = []
        self.texts: list[str] = []
        self._bm25 = None
        self._df: np.ndarray = np.zeros(0)
        self._idf: dict[str, float] = {}
        if (folder / "EMPTY").exists():
            return
        import bm25s
        import Stemmer

        # Load the scores with bm25s and read the corpus ourselves: the retriever's own loader
        # prints progress bars and keeps a second copy of every node.
        self._bm25 = bm25s.BM25.load(str(folder), load_corpus=False)
        self._stemmer = Stemmer.Stemmer("english")
        from bm25s.stopwords import STOPWORDS_EN

        self._stopwords = frozenset(STOPWORDS_EN)
        # Documents holding each term: the score matrix has one stored entry per (term, document).
        self._df = np.diff(self._bm25.scores["indptr"])
        with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
            for line in handle:
                entry = json.loads(line)
                node = json.loads(entry["_node_content"])
                self.ids.append(node["id_"])
                self.meta.append(node["metadata"])
                self.texts.append(strip_citation_marks(node["text"]))  # a sidecar built before they were stripped

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def sentences(self):  # -> sentence_vectors.SentenceVectors, rows in this index's row order
        """Loaded on first use: only the re-ranker needs them."""
        if self._sentences is None:
            from .sentence_vectors import SentenceVectors

            self._sentences = SentenceVectors.load(self._folder, self._models_dir)
        return self._sentences

    def terms(self, text: str) -> list[str]:
        """The text's terms in order, tokenised as the index was (words of 2+ characters, English
        stop words dropped, Snowball stems): what the re-ranker compares questions and passages by."""
        if self._bm25 is None:
            return []
        words = [w for w in _TOKEN.findall(text.lower()) if w not in self._stopwords]
        return self._stemmer.stemWords(words)

    def idf(self, term: str) -> float:
        """log(1 + N / (1 + df)): rare terms weigh more when counting which question words a passage has.
        Kept per indexed term (so at most the vocabulary): the re-ranker asks for every term of every new candidate."""
        known = self._idf.get(term)
        if known is not None:
            return known
        row = self._bm25.vocab_dict.get(term) if self._bm25 is not None else None
        df = int(self._df[row]) if row is not None and row < len(self._df) else 0
        value = math.log(1.0 + len(self.ids) / (1.0 + df))
        if row is not None:
            self._idf[term] = value
        return value

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) pairs; rows with mask 0 are excluded."""
        if self._bm25 is None or not self.ids:
            return []
        tokens = self.terms(query)  # cut as BM25Retriever's index was (a test checks this against bm25s)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        if mask is not None:
            scores = np.where(mask > 0, scores, -np.inf)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if np.isfinite(scores[i]) and scores[i] > 0]

