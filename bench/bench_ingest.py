"""Ingest benchmark: the MultiHop-RAG corpus into a fresh index, against the raw embedder's speed.

Prints articles, chunks, wall time, chunks/s, the embedder's raw chunks/s on samples of the same
chunks in the same run (one before the ingest, one after; the machine's speed drifts), their ratio,
peak RSS (with its value at half-way, to show it does not grow with the corpus) and the time of a
second, unchanged re-ingest.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

from assistant.core.settings import load_settings


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _RssSampler(threading.Thread):
    """Samples resident memory every 0.2 s so the peak at any point of the run is known."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.perf_counter(), _rss_mb()))
            time.sleep(0.2)


def _chunks_of(corpus: str, settings, n: int) -> list[str]:
    """Chunks of randomly chosen corpus articles, cut exactly as the ingest cuts them."""
    from assistant.core.article import Article
    from assistant.ingest.chunking import Chunker
    from assistant.ingest.loaders import load_path

    articles = [a for a in load_path(Path(corpus), 10**10) if isinstance(a, Article)]
    random.Random(1).shuffle(articles)
    chunker = Chunker.for_settings(settings)
    chunks: list[str] = []
    for article in articles:
        chunks.extend(chunker.split(article.body))
        if len(chunks) >= 4 * n:
            break
    return chunks


def _raw_rate(settings, texts: list[str], n: int) -> float:
    """Chunks/s of the embedder alone on ``n`` of ``texts``, as the ingest calls it."""
    from assistant.index.embedder import make_embedder

    sample = random.Random(0).sample(texts, min(n, len(texts)))
    embedder = make_embedder(settings)
    embedder.embed(sample[:8])  # warm-up: session creation is not throughput
    t0 = time.perf_counter()
    embedder.embed(sample)
    return len(sample) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="evals/data/corpus.json")
    parser.add_argument("--raw-sample", type=int, default=400,
                        help="chunks embedded directly for the raw rate, before and again after the ingest")
    parser.add_argument("--keep", metavar="DIR", help="keep the built index here (default: a temporary folder)")
    args = parser.parse_args()

    from assistant.index.store import Store
    from assistant.ingest.pipeline import ingest
    from assistant.ingest.threads import release_memory

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    shutil.rmtree(workdir, ignore_errors=True)
    settings = load_settings(overrides={"index": str(workdir)})
    # The raw rate is measured before and after the ingest: on a shared machine the speed drifts.
    raw_before = _raw_rate(settings, _chunks_of(args.corpus, settings, args.raw_sample), args.raw_sample)
    release_memory()  # what measuring left behind is not the ingest's memory
    sampler = _RssSampler()
    sampler.start()
    start = time.perf_counter()
    first = ingest([args.corpus], settings, progress=None)
    wall = time.perf_counter() - start
    half = start + wall / 2
    peak_half = max((mb for t, mb in sampler.samples if t <= half), default=0.0)
    peak_ingest = max((mb for _, mb in sampler.samples), default=0.0)

    t0 = time.perf_counter()
    second = ingest([args.corpus], settings, progress=False)
    rerun = time.perf_counter() - t0

    raw_after = _raw_rate(settings, [text for _, text, _ in Store(settings).iter_chunks()], args.raw_sample)
    raw_rate = (raw_before + raw_after) / 2
    sampler.stop.set()

    rate = first.chunks / wall
    print(f"articles:                {first.added} added, {len(first.skipped)} skipped")
    print(f"chunks:                  {first.chunks} (≤ {settings.chunk.max_wordpieces} wordpieces each)")
    print(f"wall time:               {wall:.1f} s  ({first.added / wall:.2f} articles/s)")
    print(f"pipeline chunks/s:       {rate:.2f}")
    print(f"raw embedder chunks/s:   {raw_rate:.2f}  (same embedder, {args.raw_sample} of the same chunks before "
          f"the ingest: {raw_before:.2f}, {args.raw_sample} after: {raw_after:.2f})")
    print(f"ratio pipeline/raw:      {rate / raw_rate:.3f}  (target ≥ 0.9)")
    print(f"time in embedder:        {first.embed_seconds:.1f} s of {wall:.1f} s")
    print(f"peak RSS:                {peak_ingest:.0f} MB during ingest ({peak_half:.0f} MB by half-way)  (target ≤ 500)")
    print(f"bench process max RSS:   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          "(includes this script's own raw-embedder measurement after the ingests)")
    print(f"unchanged re-ingest:     {rerun:.2f} s = {100 * rerun / wall:.1f}% of the first "
          f"({second.unchanged} unchanged, {second.added} added)  (target ≤ 5%)")
    print(f"stock LlamaIndex ref.:   669 s, 0.91 articles/s, 14.7 chunks/s -> speed-up {669 / wall:.2f}x")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
