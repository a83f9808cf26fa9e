"""One story, counted once: near-duplicate articles (syndicated copies, another headline, a trimmed
ending) share a story id, and stories about the same event within a few days share a cluster.

Duplicates: MinHash over word shingles with datasketch's LSH, each candidate it proposes checked
against the MinHash Jaccard estimate. Events: greedy grouping in date order of each story's article
vector (the store's mean chunk vector) with the clusters whose centroid is close enough and whose
latest story is recent enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core.settings import StorySettings
from ..text.words import word_keys

SCHEME = "affine32"
"""datasketch's hashing scheme, named so stored signatures are read back with the one that made them."""


def shingles(text: str, size: int) -> set[bytes]:
    """The text's runs of ``size`` words (lower-cased, punctuation gone); a shorter text is one shingle."""
    words = [w.lower() for w in word_keys(text)]
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


def signature(text: str, settings: StorySettings) -> tuple[object, int]:
    """(datasketch MinHash of the text's shingles, how many shingles it has)."""
    from datasketch import MinHash

    grams = shingles(text, settings.shingle_words)
    sketch = MinHash(num_perm=settings.num_perm, seed=1, scheme=SCHEME)
    sketch.update_batch(list(grams))
    return sketch, len(grams)


class Deduper:
    """Assigns story ids: an article mostly contained in an earlier one (or containing it) joins its story.

    Containment is estimated from the MinHash Jaccard and the exact shingle counts:
    ``|A & B| = J (|A| + |B|) / (1 + J)``."""

    def __init__(self, settings: StorySettings) -> None:
        from datasketch import MinHashLSH

        self.settings = settings
        self.lsh = MinHashLSH(threshold=settings.candidate_jaccard, num_perm=settings.num_perm)
        self.sketches: dict[str, tuple[object, int]] = {}
        self.story: dict[str, str] = {}

    def add(self, key: str, sketch, size: int, story: str | None = None) -> str:
        """File ``key`` (its MinHash ``sketch`` of ``size`` shingles) and return its story: the best-matching
        earlier duplicate's, or ``story`` (default: a new one named after ``key``)."""
        best, best_c = None, self.settings.duplicate_containment
        for other in sorted(self.lsh.query(sketch)):
            other_sketch, other_size = self.sketches[other]
            j = sketch.jaccard(other_sketch)
            contained = j * (size + other_size) / ((1 + j) * max(1, min(size, other_size)))
            if contained >= best_c and (best is None or contained > best_c):
                best, best_c = other, contained
        self.story[key] = self.story[best] if best is not None else (story or key)
        self.sketches[key] = (sketch, size)
        self.lsh.insert(key, sketch)
        return self.story[key]


@dataclass
class _Cluster:
    id: str
    total: np.ndarray
    last: float
    members: list[str] = field(default_factory=list)


def cluster_stories(keys: Sequence[str], vectors: np.ndarray, stamps: Sequence[float | None],
                    settings: StorySettings) -> dict[str, str]:
    """Event cluster id per story key, from the stories' unit vectors and timestamps (None: undated, alone)."""
    order = sorted(range(len(keys)), key=lambda i: (stamps[i] is None, stamps[i] or 0.0, keys[i]))
    window = settings.cluster_days * 86400.0
    open_: list[_Cluster] = []
    out: dict[str, str] = {}
    for i in order:
        key, vec, ts = keys[i], vectors[i], stamps[i]
        if ts is None:
            out[key] = key
            continue
        open_ = [c for c in open_ if ts - c.last <= window]
        best, best_cos = None, settings.cluster_cosine
        for c in open_:
            cos = float(vec @ c.total) / (float(np.linalg.norm(c.total)) or 1.0)
            if cos >= best_cos:
                best, best_cos = c, cos
        if best is None:
            best = _Cluster(key, np.zeros_like(vec), ts)
            open_.append(best)
        best.total = best.total + vec
        best.last = max(best.last, ts)
        best.members.append(key)
        out[key] = best.id
    return out
