"""Two machines ingesting into one Chroma server (one server, two local index folders): the writer's lease in
the server keeps them apart, and orphans (chunks of no article's current version) are repaired."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, ROOT
from test_chroma_server import chroma_server, run  # noqa: F401 - the fixture

from assistant.core.settings import load_settings

pytestmark = [pytest.mark.slow, pytest.mark.server]


def stored(url: str) -> tuple[int, int, int]:
    """(chunks stored, chunks the article records count, orphans) on the server."""
    from assistant.index.store import Store

    store = Store(load_settings(overrides={"chroma_url": url}))
    return store.chunks.count(), store.count_chunks(), len(store.orphans())


def revised(tmp_path: Path, name: str, note: str) -> Path:
    corpus = json.loads(MINI_CORPUS.read_text())
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps([{**a, "body": f"{a['body']} {note}"} for a in corpus]))
    return path


def test_two_ingests_on_one_server_leave_no_orphans(chroma_server: str, tmp_path: Path) -> None:  # noqa: F811
    first = run("--chroma-url", chroma_server, "--index", str(tmp_path / "a"), "ingest", str(MINI_CORPUS))
    assert first.returncode == 0, first.stderr
    config = tmp_path / "small.toml"
    config.write_text("[ingest]\nwrite_batch_chunks = 2\nlock_timeout_s = 600\n")
    procs = [subprocess.Popen([sys.executable, "-m", "assistant", "--chroma-url", chroma_server, "--config", str(config),
                               "--index", str(tmp_path / machine), "ingest", str(revised(tmp_path, machine, note)),
                               "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for machine, note in (("a", "Revised by A."), ("b", "Revised by B."))]
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        assert json.loads(out)["updated"] == 4
    total, counted, orphans = stored(chroma_server)
    assert (total, orphans) == (counted, 0)


def test_repair_deletes_orphans_and_every_ingest_repairs_first(chroma_server: str, tmp_path: Path) -> None:  # noqa: F811
    from assistant.index.store import Store, chunk_id

    common = ["--chroma-url", chroma_server, "--index", str(tmp_path / "a")]
    assert run(*common, "ingest", str(MINI_CORPUS)).returncode == 0
    store = Store(load_settings(overrides={"chroma_url": chroma_url_of(common)}))
    [(cid, text, meta)] = store.article_chunks(next(iter(store.states())))[:1]

    def orphan(n: int) -> None:  # a losing writer's chunks: stored against a version no record names
        ids = [chunk_id(meta["article_id"], f"{n:016x}", i) for i in range(3)]
        store.chunks.upsert(ids=ids, embeddings=[[0.1] * 384] * 3,
                            metadatas=[{**meta, "content_hash": f"{n:016x}", "text": text}] * 3)

    orphan(1)
    assert stored(chroma_url_of(common))[2] == 3
    proc = run(*common, "index", "repair")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "3 orphaned chunks deleted"
    orphan(2)
    assert run(*common, "ingest", str(MINI_CORPUS)).returncode == 0  # unchanged articles, but repaired first
    total, counted, orphans = stored(chroma_url_of(common))
    assert (total, orphans) == (counted, 0)


def chroma_url_of(common: list[str]) -> str:
    return common[common.index("--chroma-url") + 1]
