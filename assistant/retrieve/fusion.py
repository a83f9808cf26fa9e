"""Reciprocal-rank fusion and per-article diversification of rankings."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.passage import Passage


def fuse(lists: Sequence[tuple[float, Sequence[Passage]]], rrf_k: int) -> list[Passage]:
    """Weighted reciprocal-rank fusion; a passage keeps the first copy seen and the summed score."""
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for weight, ranking in lists:
        for rank, passage in enumerate(ranking, start=1):
            scores[passage.chunk_id] = scores.get(passage.chunk_id, 0.0) + weight / (rrf_k + rank)
            first.setdefault(passage.chunk_id, passage)
    ordered = sorted(scores, key=lambda cid: -scores[cid])
    out = []
    for cid in ordered:
        passage = first[cid]
        passage.score = scores[cid]
        out.append(passage)
    return out


def diversify(passages: Sequence[Passage], k: int, per_article_cap: int) -> list[Passage]:
    """Top k with at most ``per_article_cap`` passages per article, so several sources get a place."""
    taken: dict[str, int] = {}
    out: list[Passage] = []
    overflow: list[Passage] = []
    for passage in passages:
        count = taken.get(passage.article.id, 0)
        if count < per_article_cap:
            taken[passage.article.id] = count + 1
            out.append(passage)
        else:
            overflow.append(passage)
        if len(out) == k:
            return out
    return out + overflow[: k - len(out)]
