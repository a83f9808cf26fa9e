"""The run-ahead helper ingest uses, and the embedder's parallel one-at-a-time mode."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

from assistant.core.settings import load_settings
from assistant.index.embedder import make_embedder
from assistant.ingest.threads import run_ahead, short_gil_slices, trimming


def test_run_ahead_keeps_order_and_computes_in_another_thread() -> None:
    threads: list[str] = []

    def produce():
        for i in range(5):
            threads.append(threading.current_thread().name)
            yield i

    assert list(run_ahead(produce())) == [0, 1, 2, 3, 4]
    assert set(threads) == {"run-ahead"}


def test_run_ahead_reraises_the_producers_error_after_its_items() -> None:
    def produce():
        yield 1
        raise ValueError("bad file")

    got = []
    with pytest.raises(ValueError, match="bad file"):
        for item in run_ahead(produce()):
            got.append(item)
    assert got == [1]


def test_run_ahead_stops_the_producer_when_the_consumer_stops() -> None:
    made: list[int] = []

    def produce():
        for i in range(1000):
            made.append(i)
            yield i

    stream = run_ahead(produce(), depth=1)
    assert next(stream) == 0
    stream.close()
    time.sleep(0.5)
    assert len(made) <= 4  # one taken, one queued, one waiting to be queued


@pytest.mark.slow
def test_parallel_single_text_embedding_matches_padded_batches() -> None:
    texts = [f"The council approved budget number {i} after a long debate on {i % 7} issues." * (1 + i % 4)
             for i in range(12)]
    one = make_embedder(load_settings(overrides={"embed": {"batch_size": 1, "workers": 2}}))
    batched = make_embedder(load_settings(overrides={"embed": {"batch_size": 8}}))
    a, b = np.asarray(one.embed(texts)), np.asarray(batched.embed(texts))
    assert a.shape == (12, 384)
    np.testing.assert_allclose(a, b, atol=1e-4)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(a[0], a[1])


def test_trimming_runs_the_block_and_stops_its_thread() -> None:
    before = {t.name for t in threading.enumerate()}
    with trimming(interval_s=0.01):
        time.sleep(0.05)
        assert "trim" in {t.name for t in threading.enumerate()}
    assert "trim" not in {t.name for t in threading.enumerate()} - before


def test_short_gil_slices_apply_inside_the_block_only() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(KeyboardInterrupt):
        with short_gil_slices(0.0005):
            assert sys.getswitchinterval() == pytest.approx(0.0005)
            raise KeyboardInterrupt
    assert sys.getswitchinterval() == before
