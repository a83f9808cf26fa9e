"""The stages of one ingest, through the public ``ingest``: batches, the progress count, duplicates within a
run, the journal's life, and the models let go before the sidecar build."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, SAMPLE, make_settings

from assistant.index.store import Store
from assistant.ingest.pipeline import ingest

pytestmark = pytest.mark.slow


def test_one_chunk_batches_store_every_article_whole_and_count_every_article(tmp_path: Path, capsys) -> None:
    index = tmp_path / "index"
    settings = make_settings(index, **{"ingest.write_batch_chunks": 1})
    report = ingest([SAMPLE, MINI_CORPUS], settings, progress=True)
    assert (report.added, report.updated, report.unchanged, report.skipped) == (5, 0, 0, [])
    store = Store(settings)
    states = store.states(refresh=True)
    assert report.chunks == sum(s.n_chunks for s in states.values()) == store.count_chunks() > 5
    assert len(store.chunks.get()["ids"]) == report.chunks  # one batch per article, none written twice
    assert not list(index.glob("ingest-*.journal"))  # each batch's journal is gone once it is committed
    assert "5/5" in capsys.readouterr().err  # the bar counted the articles before the first batch

    changed = tmp_path / "sample.txt"
    changed.write_text(SAMPLE.read_text().replace("Japan and South Korea", "Japan, South Korea and Australia"))
    again = ingest([changed, MINI_CORPUS], settings, progress=False)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 4)
    assert len(store.chunks.get()["ids"]) == Store(settings).count_chunks()  # the old version's chunks are gone


def test_the_same_article_twice_in_one_run_is_written_once(tmp_path: Path) -> None:
    copy = tmp_path / "copy" / SAMPLE.name
    copy.parent.mkdir()
    shutil.copy(SAMPLE, copy)
    report = ingest([SAMPLE, copy], make_settings(tmp_path / "index"), progress=False)
    assert report.added == 1 and len(report.skipped) == 1
    assert report.skipped[0].path == str(copy) and report.skipped[0].reason.startswith("same article")
    assert str(SAMPLE) in report.skipped[0].reason


def test_the_embedder_is_let_go_before_the_sidecar_is_built(tmp_path: Path, monkeypatch) -> None:
    """The sidecar build is the other memory peak: the two must not stack."""
    import assistant.index.embedder as embedders
    import assistant.index.sidecar as sidecar

    made: list[weakref.ref] = []
    real_make, real_refresh = embedders.make_embedder, sidecar.refresh_sidecar

    class Tracked:
        def __init__(self, settings) -> None:
            self.inner = real_make(settings)

        def embed(self, texts):
            return self.inner.embed(texts)

    def make(settings):
        embedder = Tracked(settings)
        made.append(weakref.ref(embedder))
        return embedder

    alive_at_refresh: list[bool] = []

    def refresh(store, settings):
        gc.collect()
        alive_at_refresh.extend(ref() is not None for ref in made)
        return real_refresh(store, settings)

    monkeypatch.setattr(embedders, "make_embedder", make)
    monkeypatch.setattr(sidecar, "refresh_sidecar", refresh)
    report = ingest([SAMPLE], make_settings(tmp_path / "index"), progress=False)
    assert report.added == 1
    assert alive_at_refresh == [False]  # one embedder, loaded once and gone by the time the sidecar is built
