"""Duplicate detection (one story id per syndicated copy or near-duplicate): precision and recall on a
labelled set built from the corpora.

The set: every article of the MultiHop-RAG corpus (evals/data/corpus.json) and, when present, of
RealTime QA's search results (../shared/data/realtimeqa_dev/corpus.jsonl), plus for a seeded random
40% of them a syndicated copy made the way wire copies differ: another headline, a dateline and
agency credit in front, the ending trimmed by 10-40% of its sentences, sometimes one paragraph left
out and a "first published by" line added. A copy and its original are one story; any two distinct
corpus articles are not, except pairs the corpora themselves hold as versions of one article (exact
5-shingle Jaccard >= 0.5 between two originals: updates and reposts of a story at another URL), which
are left out of the scores and counted separately.

    python -m bench.bench_stories [--corpus evals/data/corpus.json] [--realtimeqa PATH]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time
from pathlib import Path

from assistant.core.settings import load_settings
from assistant.index.stories import Deduper, shingles, signature

DATELINES = ["WASHINGTON (AP) — ", "LONDON (Reuters) - ", "NEW YORK (AFP) — ", "SYDNEY (AAP) - "]
CREDITS = ["This story was first published by {}.", "Originally published by {}. Republished with permission."]


def load(corpus: Path, realtimeqa: Path | None) -> list[dict]:
    rows = [{"id": f"m{i}", "body": a["body"], "source": a["source"], "date": a["published_at"][:10]}
            for i, a in enumerate(json.loads(corpus.read_text()))]
    if realtimeqa and realtimeqa.exists():
        for i, line in enumerate(realtimeqa.read_text().splitlines()):
            a = json.loads(line)
            if a.get("text", "").strip():
                rows.append({"id": f"r{i}", "body": a["text"], "source": a.get("source", ""),
                             "date": str(a.get("published_at", ""))[:10]})
    return rows


def syndicate(article: dict, rng: random.Random) -> dict:
    """A wire copy of ``article``: dateline, trimmed ending, maybe a paragraph dropped, maybe a credit line."""
    paras = [p for p in article["body"].split("\n") if p.strip()]
    sentences = [s for p in paras for s in re.split(r"(?<=[.!?])\s+", p) if s]
    keep = max(1, round(len(sentences) * (1 - rng.uniform(0.1, 0.4))))
    text = " ".join(sentences[:keep])
    parts = text.split(". ")
    if len(parts) > 8 and rng.random() < 0.5:
        drop = rng.randrange(2, len(parts) - 2)
        parts = parts[:drop] + parts[drop + 1:]
    body = rng.choice(DATELINES) + ". ".join(parts).replace("’", "'").replace("“", '"').replace("”", '"')
    if rng.random() < 0.5:
        body += "\n" + rng.choice(CREDITS).format(article["source"] or "the wire")
    return {"id": article["id"] + "+copy", "body": body, "source": "Wire copy", "date": article["date"]}


def ambiguous_pairs(rows: list[dict], size: int) -> set[frozenset]:
    """Pairs of originals that are versions of one article (exact shingle Jaccard >= 0.5)."""
    sets = {r["id"]: shingles(r["body"], size) for r in rows}
    postings: dict[bytes, list[str]] = {}
    for key, grams in sets.items():
        for g in grams:
            postings.setdefault(g, []).append(key)
    shared: dict[frozenset, int] = {}
    for keys in postings.values():
        if 1 < len(keys) < 50:
            for a, b in itertools.combinations(keys, 2):
                pair = frozenset((a, b))
                shared[pair] = shared.get(pair, 0) + 1
    return {p for p, n in shared.items() if n / len(sets[min(p)] | sets[max(p)]) >= 0.5}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("evals/data/corpus.json"))
    parser.add_argument("--realtimeqa", type=Path, default=Path("../shared/data/realtimeqa_dev/corpus.jsonl"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    settings = load_settings().stories
    if not args.realtimeqa.exists():
        print(f"note: {args.realtimeqa} not found; the set is MultiHop-RAG only")
    originals = load(args.corpus, args.realtimeqa)
    rng = random.Random(args.seed)
    copies = [syndicate(a, rng) for a in originals if rng.random() < 0.4]
    rows = sorted(originals + copies, key=lambda r: (r["date"], r["id"]))
    started = time.perf_counter()
    dedup = Deduper(settings)
    for row in rows:
        dedup.add(row["id"], *signature(row["body"], settings))
    seconds = time.perf_counter() - started
    ambiguous = ambiguous_pairs(originals, settings.shingle_words)
    _score(dedup.story, copies, ambiguous, len(rows), seconds)


def _base(key: str) -> str:
    return key.removesuffix("+copy")


def _score(story: dict[str, str], copies: list[dict], ambiguous: set[frozenset], n: int, seconds: float) -> None:
    groups: dict[str, list[str]] = {}
    for key, sid in story.items():
        groups.setdefault(sid, []).append(key)
    truth = {frozenset((c["id"], _base(c["id"]))) for c in copies}
    predicted, left_out = set(), 0
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            if frozenset((_base(a), _base(b))) in ambiguous:
                left_out += 1
                continue
            predicted.add(frozenset((a, b)))
    tp = len(predicted & truth)
    merged_versions = sum(1 for p in ambiguous if story[min(p)] == story[max(p)])
    print(f"articles: {n} ({len(copies)} syndicated copies); {seconds:.1f} s to sketch and match "
          f"({n / seconds:.0f} articles/s)")
    print(f"duplicate pairs: precision {tp / max(1, len(predicted)):.3f} ({tp}/{len(predicted)}), "
          f"recall {tp / max(1, len(truth)):.3f} ({tp}/{len(truth)}); target >= 0.95 both")
    print(f"versions of one article in the corpora (exact Jaccard >= 0.5, not scored): {len(ambiguous)} pairs, "
          f"{merged_versions} given one story; {left_out} predicted pairs left out for touching them")


if __name__ == "__main__":
    main()
