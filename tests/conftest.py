"""Shared fixtures: real embedder, real embedded Chroma, small real articles."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from assistant.core.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "samples" / "eu-india-security-defence-2025-02-28.txt"
MINI_CORPUS = DATA / "mini_corpus.json"


def make_settings(index: Path, **overrides) -> Settings:
    """Settings for a test index; overrides use dotted names (``{"ingest.lock_timeout_s": 0.2}``)."""
    return load_settings(overrides={"index": str(index), **overrides})


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_is_delivered() -> None:
    """A shell starts background jobs with SIGINT ignored, and every process they spawn inherits that
    (Python then installs no KeyboardInterrupt handler). The Ctrl-C tests need the terminal's ordinary
    Ctrl-C, in this process and in the assistants it spawns, however the suite was launched."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def embedder():
    """The real offline MiniLM embedder, loaded once."""
    from assistant.index.embedder import make_embedder

    return make_embedder(load_settings())


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    """An index with the sample article and the mini corpus, built once by a real ingest."""
    from assistant.ingest.pipeline import ingest

    index = tmp_path_factory.mktemp("built") / "index"
    report = ingest([SAMPLE, MINI_CORPUS], make_settings(index), progress=False)
    assert report.added == 5, report
    return index


@pytest.fixture
def index_copy(built_index: Path, tmp_path: Path) -> Path:
    """A private copy of the built index that a test may change."""
    target = tmp_path / "index"
    shutil.copytree(built_index, target)
    return target
