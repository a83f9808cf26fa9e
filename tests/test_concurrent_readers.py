"""Readers never crash on a concurrent writer: a stale view is retried on a reopened store, a chat session
follows the index when another process ingests, and a reader loop beside real ingests sees no failure."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_CORPUS, ROOT, make_settings

READER = """
import sys, time
from assistant.core.settings import load_settings
from assistant.retrieve.retriever import Retriever
settings = load_settings(overrides={"index": sys.argv[1]})
retriever, ok, failed = Retriever(settings), 0, []
stop = sys.argv[2]
import os
while not os.path.exists(stop):
    try:
        retriever.search("What did the company report?", k=3)
        if ok % 10 == 9:  # as 'ask' in a loop would: a new reader over the index as it stands
            retriever = Retriever(settings, embedder=retriever.embedder)
        ok += 1
    except Exception as exc:
        failed.append(f"{type(exc).__name__}: {exc}"[:200])
print(ok, len(failed), failed[:3])
"""


def test_a_stale_read_is_retried_on_a_reopened_store(index_copy: Path, monkeypatch) -> None:
    from chromadb.errors import InternalError

    from assistant.index.store import Store

    store = Store(make_settings(index_copy, **{"retrieval.read_retry_wait_s": 0}))
    calls = {"n": 0}
    real = store.chunks.get

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise InternalError("Error executing plan: Internal error: Error finding id")
        return real(*args, **kwargs)

    monkeypatch.setattr(store.chunks, "get", flaky)
    assert len(list(store.iter_chunks())) == store.count_chunks() > 0


def test_chat_follows_the_index_when_another_process_ingests(index_copy: Path, tmp_path: Path) -> None:
    from assistant.chat.display import Output
    from assistant.chat.session import ChatSession

    buffer = io.StringIO()
    session = ChatSession(make_settings(index_copy), llm=None, out=Output(buffer, color=False))
    assert session.handle("What did the EU offer India on defence?")
    data = tmp_path / "new.json"
    data.write_text(json.dumps([{"title": "Ferry fares rise", "source": "Coast Times", "published_at": "2023-11-02",
                                 "body": "The regional ferry operator raised its fares by four per cent on Tuesday, "
                                         "citing fuel costs, and kept the late crossings commuters had asked for."}]))
    proc = subprocess.run([sys.executable, "-m", "assistant", "--index", str(index_copy), "ingest", str(data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert session.handle("Why did the ferry operator raise its fares?")
    out = buffer.getvalue()
    assert "the index changed; reloaded" in out
    assert "fuel costs" in out


@pytest.mark.slow
def test_readers_in_a_loop_beside_real_ingests_never_fail(index_copy: Path, tmp_path: Path) -> None:
    corpus = json.loads(MINI_CORPUS.read_text())
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(index_copy), str(stop)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    config = tmp_path / "small.toml"
    config.write_text("[ingest]\nwrite_batch_chunks = 2\n")
    try:
        for round_ in range(2):  # updates: every article's chunks are replaced, the old ones deleted
            data = tmp_path / f"round{round_}.json"
            data.write_text(json.dumps([{**a, "body": f"{a['body']} Revision {round_}."} for a in corpus]))
            proc = subprocess.run([sys.executable, "-m", "assistant", "--index", str(index_copy), "--config", str(config),
                                   "ingest", str(data), "--no-progress"], cwd=ROOT, capture_output=True, text=True,
                                  timeout=600, check=False)
            assert proc.returncode == 0, proc.stderr
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=300)
    ok, failed, examples = out.strip().split(" ", 2)
    assert int(failed) == 0, (examples, err[-2000:])
    assert int(ok) > 0
