"""Ingestion with the real embedder and embedded Chroma: incremental, deduplicating, crash-safe, locked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, ROOT, SAMPLE, make_settings

from assistant.core.errors import IndexBusyError
from assistant.index.store import Store
from assistant.ingest.locking import index_lock
from assistant.ingest.pipeline import ingest
from assistant.retrieve.retriever import Retriever

pytestmark = pytest.mark.slow


def consistent(index: Path) -> Store:
    """Every article has exactly its current chunks in Chroma and the BM25 sidecar agrees."""
    settings = make_settings(index)
    store = Store(settings)
    states = store.states(refresh=True)
    got = store.chunks.get(include=["metadatas"])
    by_article: dict[str, set[str]] = {}
    for meta in got["metadatas"]:
        if store.is_current(meta):
            by_article.setdefault(meta["article_id"], set()).add(meta["content_hash"])
    for aid, state in states.items():
        current = [m for m in got["metadatas"] if m["article_id"] == aid and m["content_hash"] == state.content_hash]
        assert len(current) == state.n_chunks, aid
    retriever = Retriever(settings, store=store)
    assert len(retriever.bm25) == sum(s.n_chunks for s in states.values())
    return store


def test_reingest_unchanged_embeds_nothing(index_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_models(*args, **kwargs):
        raise AssertionError("an unchanged re-ingest loaded a model")

    monkeypatch.setattr("assistant.index.embedder.make_embedder", no_models)
    monkeypatch.setattr("assistant.ingest.chunking.Chunker.for_settings", no_models)
    report = ingest([SAMPLE, MINI_CORPUS], make_settings(index_copy), progress=False)
    assert (report.added, report.updated, report.unchanged, report.chunks) == (0, 0, 5, 0)


def test_changed_article_replaces_its_chunks(index_copy: Path, tmp_path: Path) -> None:
    changed = tmp_path / "sample.txt"
    changed.write_text(SAMPLE.read_text().replace("Japan and South Korea", "Japan, South Korea and Australia"))
    report = ingest([changed], make_settings(index_copy), progress=False)
    assert (report.added, report.updated) == (0, 1)
    store = consistent(index_copy)
    texts = [text for _, text, _ in store.iter_chunks()]
    assert not any("close allies Japan and South Korea" in d for d in texts)
    assert any("Japan, South Korea and Australia" in d for d in texts)
    assert store.chunks.count() == store.count_chunks()  # old version's chunks are gone


def test_exact_duplicate_under_another_path_is_reported(index_copy: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(SAMPLE.read_text().replace("EU explores security and defence pact with India", "EU-India pact"))
    report = ingest([copy], make_settings(index_copy), progress=False)
    assert report.added == 0 and len(report.skipped) == 1
    assert "duplicate" in report.skipped[0].reason and report.skipped[0].path == str(copy)


def test_bad_files_are_skipped_and_the_rest_ingested(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(SAMPLE.read_text())
    (folder / "empty.txt").write_text("")
    (folder / "bad.json").write_text('{"title": ')
    report = ingest([folder], make_settings(tmp_path / "index"), progress=False)
    assert report.added == 1
    assert sorted(Path(s.path).name for s in report.skipped) == ["bad.json", "empty.txt"]


def test_a_missing_path_is_reported_and_the_rest_ingests(tmp_path: Path) -> None:
    report = ingest([SAMPLE, tmp_path / "nope.json"], make_settings(tmp_path / "index"), progress=False)
    assert report.added == 1
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("nope.json", "no such file or folder")]


class _FailingArticles:
    """Stands in for the article collection: the commit fails like a Ctrl-C at the worst moment."""

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def upsert(self, **kwargs) -> None:
        raise KeyboardInterrupt


def test_interrupt_between_chunks_and_commit_keeps_old_version(index_copy: Path, tmp_path: Path, monkeypatch) -> None:
    changed = tmp_path / "sample.txt"
    changed.write_text(SAMPLE.read_text().replace("cyber-attacks", "ransomware attacks"))
    original_init = Store.__init__

    def failing_init(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        self.articles = _FailingArticles(self.articles)

    monkeypatch.setattr(Store, "__init__", failing_init)
    with pytest.raises(KeyboardInterrupt):
        ingest([changed], make_settings(index_copy), progress=False)
    monkeypatch.setattr(Store, "__init__", original_init)

    # The new chunks were written but never committed: readers see only the old version.
    settings = make_settings(index_copy)
    texts = [p.text for p in Retriever(settings).search("ransomware attacks cyber-attacks critical infrastructure", k=10)]
    assert any("cyber-attacks" in t for t in texts) and not any("ransomware" in t for t in texts)
    # A rerun finishes the job and cleans up the orphans.
    report = ingest([changed], settings, progress=False)
    assert report.updated == 1
    store = consistent(index_copy)
    assert len(store.chunks.get()["ids"]) == store.count_chunks()


def test_ctrl_c_mid_ingest_then_rerun_completes(tmp_path: Path) -> None:
    index = tmp_path / "index"
    config = tmp_path / "small-batches.toml"
    config.write_text("[ingest]\nwrite_batch_chunks = 4\n")
    cmd = [sys.executable, "-m", "assistant", "--index", str(index), "--config", str(config),
           "ingest", str(SAMPLE), str(MINI_CORPUS), "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(index.glob("ingest-*.journal")):
        time.sleep(0.05)  # wait until a batch is being written
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 130), err
    if proc.returncode == 130:
        assert "interrupted" in err and "Traceback" not in err
    store = consistent(index)  # every article fully old (absent) or fully new
    first_count = len(store.states())
    done = subprocess.run([*cmd[:-1], "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["added"] + summary["unchanged"] == 5 and summary["unchanged"] == first_count
    store = consistent(index)
    assert len(store.chunks.get()["ids"]) == store.count_chunks()


def test_second_ingest_refuses_while_first_holds_the_lock(tmp_path: Path) -> None:
    index = tmp_path / "index"
    with index_lock(index, timeout_s=0):
        with pytest.raises(IndexBusyError, match=f"pid {os.getpid()}"):
            ingest([SAMPLE], make_settings(index, **{"ingest.lock_timeout_s": 0.3}), progress=False)
        config = tmp_path / "c.toml"
        config.write_text("[ingest]\nlock_timeout_s = 0.5\n")
        proc = subprocess.run([sys.executable, "-m", "assistant", "--index", str(index), "--config", str(config),
                               "ingest", str(SAMPLE)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1
        waiting, error = proc.stderr.strip().split("\n")  # a notice that it waits, then one error line
        assert "waiting for another ingest" in waiting
        assert error.startswith("assistant: error: another ingest") and "Traceback" not in proc.stderr
    report = ingest([SAMPLE], make_settings(index), progress=False)  # lock released: works
    assert report.added == 1


def test_stored_texts_read_back_whole(built_index: Path) -> None:
    """Chunk texts and article bodies come back exactly, and never leak into the metadata readers see."""
    from assistant.ingest.loaders import load_path

    store = Store(make_settings(built_index))
    sample = next(a for a in load_path(SAMPLE, 10**7))
    meta, body = store.get_article(sample.id)
    assert body == sample.body and meta["title"] == sample.title and "body" not in meta
    bodies = {aid: text for aid, _, text in store.iter_articles(with_body=True)}
    assert bodies[sample.id] == sample.body and len(bodies) == 5
    chunks = sorted(store.article_chunks(sample.id), key=lambda c: c[2]["position"])
    assert len(chunks) == store.states()[sample.id].n_chunks >= 2
    assert all(text and text in sample.body and "text" not in meta for _, text, meta in chunks)
    assert all("text" not in meta and text for _, text, meta in store.iter_chunks())


def test_nearest_breaks_ties_by_id(tmp_path: Path) -> None:
    """Equal distances (an article reprinted by two outlets) come back in id order, not in the order the
    HNSW graph was walked (which changes between processes), and the search breadth setting reaches an
    index created before it changed."""
    import random

    index = tmp_path / "index"
    store = Store(make_settings(index, **{"retrieval.dense_ef_search": 300}))
    assert store.chunks.configuration["hnsw"]["ef_search"] == 300
    rng = random.Random(0)
    ids = [f"c{i:04d}" for i in range(400)]  # beyond Chroma's brute-force buffer, so the HNSW graph answers
    rng.shuffle(ids)
    query = [1.0, 0.0, 0.0]
    vectors = [query if i < 5 else [rng.random(), 1.0, rng.random()] for i in range(400)]
    store.chunks.upsert(ids=ids, embeddings=vectors)
    assert [cid for cid, _ in store.nearest(query, 2)] == sorted(ids[:5])[:2]
    reopened = Store(make_settings(index, **{"retrieval.dense_ef_search": 150}))
    assert reopened.chunks.configuration["hnsw"]["ef_search"] == 150
