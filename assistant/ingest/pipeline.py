"""Ingestion: load, dedup, chunk, embed and store articles in bounded batches.

Loading and chunking run a batch ahead in a second thread and writing to Chroma a batch behind in a
third, so the embedder (the floor) never waits.

Safe to interrupt: a journal names the articles of the batch being written; the next run drops
whichever of their chunks did not win the commit (see ``store.Store``) and carries on.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.article import Article
from ..core.errors import DiskFullError, InputError
from ..core.settings import Settings
from .loaders import Skipped, discover, load_path
from .locking import index_lock, store_lock
from .threads import release_memory, run_ahead, short_gil_slices, trimming


@dataclass
class IngestReport:
    """What an ingest did; ``to_json`` is the ``--json`` contract."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    repaired: int = 0
    """Orphaned chunks (of no article's current version) deleted before the run."""

    @property
    def usable(self) -> int:
        return self.added + self.updated + self.unchanged

    def to_json(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": [asdict(s) for s in self.skipped]}


class _Journal:
    """The batch in flight: (article id, content hash, chunk count) for both old and new versions."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[tuple[str, str, int]]:
        try:
            return [tuple(row) for row in json.loads(self.path.read_text())]  # type: ignore[misc]
        except (FileNotFoundError, ValueError):
            return []

    def write(self, rows: list[tuple[str, str, int]]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(rows))
        tmp.replace(self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _check_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The paths to ingest; a missing, looping or unreadable one is left to ``discover``, which says which it is."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("nothing to ingest", hint="give one or more files or folders")
    return paths


def ingest(paths: Iterable[str | Path], settings: Settings, progress: bool | None = None) -> IngestReport:
    """Ingest files and folders into the index named by ``settings``; returns what happened."""
    return _locked_run(list(discover(_check_paths(paths))), settings, progress)


def ingest_articles(articles: Iterable[Article | Skipped], settings: Settings, progress: bool | None = None) -> IngestReport:
    """Ingest articles made elsewhere (fetched pages, feed entries) through the same dedup and crash-safe
    run as files; a ``Skipped`` among them is reported as it is."""
    return _locked_run(list(articles), settings, progress)


def _locked_run(items: list, settings: Settings, progress: bool | None) -> IngestReport:
    """One run over loaded items under the folder lock and the store's lock, a full disk made one error."""
    from ..index.store import Store

    show = sys.stderr.isatty() if progress is None else progress
    report = IngestReport()
    started = time.perf_counter()
    with index_lock(Path(settings.index), settings.ingest.lock_timeout_s, _say_waiting), _space_kept(settings):
        store = Store(settings, writing=True)
        with store_lock(store, settings, _say_waiting) as lease:
            run = _Run(settings, store, report, lease)
            run.execute(items, show)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _space_kept(settings: Settings) -> Iterator[None]:
    """A full disk (in Chroma, the journal or the sidecar build) is one ``DiskFullError``; what was committed
    stays, and the rerun repairs the batch in flight."""
    from ..index.space import disk_full, out_of_space

    try:
        yield
    except DiskFullError:
        raise
    except Exception as exc:
        if not settings.chroma_url and out_of_space(exc, settings.index):
            raise disk_full(settings.index) from None
        raise


def repair_index(settings: Settings) -> int:
    """``assistant index repair``: delete the chunks no article record names (under both writer locks)."""
    from ..index.store import Store

    with index_lock(Path(settings.index), settings.ingest.lock_timeout_s, _say_waiting):
        store = Store(settings, writing=True)
        with store_lock(store, settings, _say_waiting):
            orphans = store.orphans()
            store.delete_chunks(orphans)
            return len(orphans)


def _say_waiting(pid: int | str) -> None:
    print(f"waiting for another ingest (pid {pid}) to finish…", file=sys.stderr)


class _Run:
    """One ingest under the index lock, over the index as it stands once an interrupted run's batch is
    repaired: its three stages (sort out and chunk, embed, write) and the loop that runs them in their
    threads."""

    def __init__(self, settings: Settings, store, report: IngestReport, lease=None) -> None:  # store: index.store.Store
        from ..index.embedder import make_embedder
        from .chunking import Chunker

        self.settings = settings
        self.store = store
        self.report = report
        self.lease = lease  # index.lease.StoreLease on a server
        self.journal = _Journal(Path(settings.index) / f"ingest-{store.identity}.journal")
        self.max_bytes = int(settings.ingest.max_file_mb * 1e6)
        # Loaded on first use: an unchanged re-ingest needs neither model.
        self.chunker = functools.cache(lambda: Chunker.for_settings(settings))
        self.embedder = functools.cache(lambda: make_embedder(settings))
        self._recover()
        orphans = store.orphans()  # what writers racing on a server before the lease left behind
        store.delete_chunks(orphans)
        report.repaired = len(orphans)
        self.states = store.states(refresh=True)
        self.owners = {state.body_hash: aid for aid, state in self.states.items()}

    def _recover(self) -> None:
        """Drop whichever chunks of the journal's batch (a run cut short while writing it) did not win the commit."""
        rows = self.journal.read()
        if rows:
            self.store.repair(rows)
            self.journal.clear()

    def execute(self, files: list[Path | Article | Skipped], show: bool) -> None:
        """All batches through the three stages, then the BM25 sidecar when anything changed."""
        from ..index.sidecar import refresh_sidecar
        from ..index.story_book import refresh_stories

        bar = _bar(sum(1 for f in files if not isinstance(f, Skipped) for _ in self._load(f)), show)
        # Writes run in their own thread while the next batch is embedded, one at a time and in order;
        # leaving the block (also on Ctrl-C) waits for the write in flight, so it is never cut short.
        with trimming(), short_gil_slices(), ThreadPoolExecutor(1, thread_name_prefix="store") as writer:
            self._stream(files, writer, bar)
            bar.close()
            del self.embedder, self.chunker  # the sidecar build is the other memory peak: don't stack the two
            release_memory()
            if self.report.added or self.report.updated:
                refresh_sidecar(self.store, self.settings)
            refresh_stories(self.store, self.settings)  # also files what a run killed before this point left

    def _load(self, entry: Path | Article) -> Iterable[Article | Skipped]:
        return [entry] if isinstance(entry, Article) else load_path(entry, self.max_bytes)

    def _stream(self, files: list[Path | Article | Skipped], writer: ThreadPoolExecutor, bar) -> None:
        """Embed each batch as it arrives from the run-ahead thread and hand it to the writer, waiting for
        the previous write first; returns once the last write is done."""
        pending: Future | None = None
        for batch, passed in run_ahead(self._batches(files)):
            if batch:
                items, rows = self._embed(batch)
                if pending is not None:
                    pending.result()
                pending = writer.submit(self._write, items, rows)
            bar.update(len(batch) + passed)
            bar.set_postfix(chunks=self.report.chunks, refresh=False)
        if pending is not None:
            pending.result()

    def _batches(self, files: list[Path | Article | Skipped]) -> Iterator[tuple[list[tuple[Article, list[str]]], int]]:
        """Runs ahead of the embedder in its own thread: loads, sorts out and chunks articles. Yields
        (articles to write, how many others were passed over) once a batch holds enough chunks."""
        batch: list[tuple[Article, list[str]]] = []
        passed = 0
        seen: dict[str, str] = {}
        for entry in files:
            if isinstance(entry, Skipped):
                self.report.skipped.append(entry)
                continue
            for item in self._load(entry):
                if isinstance(item, Skipped):
                    self.report.skipped.append(item)
                    passed += 1
                    continue
                if not self._admit(item, seen):
                    passed += 1
                    continue
                batch.append((item, self.chunker().split(item.body)))
                if sum(len(c) for _, c in batch) >= self.settings.ingest.write_batch_chunks:
                    yield batch, passed
                    batch, passed = [], 0
        yield batch, passed

    def _admit(self, article: Article, seen: dict[str, str]) -> bool:
        """Whether ``article`` is to be (re)written; if not, it is counted as unchanged or skipped with its reason."""
        reason = _reject(article, self.settings, self.states, self.owners, seen)
        if reason == "unchanged":
            self.report.unchanged += 1
        elif reason:
            self.report.skipped.append(Skipped(article.path, reason))
        else:
            seen[article.id] = article.path
            self.owners[article.body_hash] = article.id
        return not reason

    def _embed(self, batch: list[tuple[Article, list[str]]]) -> tuple[list, list[tuple[str, str, int]]]:
        """Vectors for a batch, and the journal rows naming both versions of each article in it."""
        texts = [c for _, chunks in batch for c in chunks]
        t0 = time.perf_counter()
        vectors = self.embedder().embed(texts)
        self.report.embed_seconds += time.perf_counter() - t0
        rows: list[tuple[str, str, int]] = []
        items = []
        offset = 0
        for article, chunks in batch:
            items.append((article, chunks, vectors[offset:offset + len(chunks)]))
            offset += len(chunks)
            rows.append((article.id, article.content_hash, len(chunks)))
            old = self.states.get(article.id)
            if old is not None:
                rows.append((article.id, old.content_hash, old.n_chunks))
                self.report.updated += 1
            else:
                self.report.added += 1
        self.report.chunks += len(texts)
        return items, rows

    def _write(self, items: list, rows: list[tuple[str, str, int]]) -> None:
        """The batch's journal first, then its chunks and commit, then no journal: a run cut short in
        between leaves the journal for the next run's ``_recover``. No batch starts on a full disk."""
        self.store.check_space()
        if self.lease is not None:
            self.lease.renew()
        self.journal.write(rows)
        self.store.write(items)
        self.journal.clear()


def _reject(article: Article, settings: Settings, states, owners: dict[str, str], seen: dict[str, str]) -> str | None:
    """Why an article is not (re)written: 'unchanged', a skip reason, or None to ingest it."""
    if len(article.body.strip()) < settings.ingest.min_body_chars:
        return f"article body is too short ({len(article.body.strip())} characters; ingest.min_body_chars)"
    if article.id in seen:
        return f"same article (URL or title and date) as {seen[article.id]}"
    state = states.get(article.id)
    if state is not None and state.content_hash == article.content_hash:
        return "unchanged"
    owner = owners.get(article.body_hash)
    if owner is not None and owner != article.id:
        return f"duplicate: same text as article {owner} already in the index"
    return None


def _bar(total: int, show: bool):  # -> tqdm.tqdm
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="ingest", disable=not show, file=sys.stderr,
                dynamic_ncols=True, smoothing=0.1)
