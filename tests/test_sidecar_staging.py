"""The BM25 sidecar's staging folders: a build killed with -9 leaves none behind once the sidecar is
opened again, and a build that is still running keeps its own."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, make_settings

from assistant.index import sidecar
from assistant.index.sidecar import BM25Index, refresh_sidecar
from assistant.index.store import Store

pytestmark = pytest.mark.slow

BUILD = """
import sys
from assistant.core.settings import load_settings
from assistant.index.sidecar import refresh_sidecar
from assistant.index.store import Store
settings = load_settings(overrides={"index": sys.argv[1]})
refresh_sidecar(Store(settings), settings)
"""


def sidecar_root(index: Path) -> Path:
    [root] = index.glob("bm25-*")
    return root


def test_build_killed_mid_way_leaves_no_staging_after_reopening(index_copy: Path) -> None:
    root = sidecar_root(index_copy)
    for built in root.iterdir():
        if not built.name.startswith("."):
            shutil.rmtree(built)
    builder = subprocess.Popen([sys.executable, "-c", BUILD, str(index_copy)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while not list(root.glob(".build-*")):
        assert builder.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    builder.send_signal(signal.SIGKILL)
    builder.wait(timeout=30)
    assert list(root.glob(".build-*")), "the killed build left its staging folder (the case under test)"

    settings = make_settings(index_copy)
    index = BM25Index(Store(settings), settings)  # what retrieve does on start
    assert len(index) > 0
    assert not list(root.glob(".build-*"))


def test_live_build_keeps_its_staging_and_blocks_the_sweep(index_copy: Path) -> None:
    settings = make_settings(index_copy)
    store = Store(settings)
    root = sidecar_root(index_copy)
    stale = root / ".build-dead"
    stale.mkdir()
    (stale / "corpus.jsonl").write_text("{}")
    with sidecar._staging(root) as live:  # another process's build, as far as the lock can tell
        refresh_sidecar(store, settings)
        assert live.is_dir() and stale.is_dir()
    refresh_sidecar(store, settings)
    assert not list(root.glob(".build-*"))
