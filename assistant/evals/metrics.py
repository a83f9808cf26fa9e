"""Metrics for the evaluation harness, comparable with the numbers MultiHop-RAG publishes.

The retrieval metric follows ``retrieval_evaluate.py`` of yixuantt/MultiHop-RAG line by line
(only ``" "`` and ``"\\n"`` are removed; ranks beyond 10 are ignored; MAP divides by
``min(len(gold), 10)`` counting duplicate gold facts), so our Hits@10/Hits@4/MRR@10/MAP@10 can sit
beside the published ones. AllEvidence@10 and EvidenceRecall@10 are our stricter additions: they
expose the missing second and third pieces of evidence that Hits@k cannot see.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CUTOFF = 10
RETRIEVAL_METRIC_KEYS = ["Hits@10", "Hits@4", "MRR@10", "MAP@10", "AllEvidence@10", "EvidenceRecall@10"]
NULL_QUERY = "null_query"

# Best published retrieval (embedding + bge-reranker-large, 256-token chunks), for report rows.
PUBLISHED_BEST_RETRIEVAL = {"Hits@10": 0.7467, "Hits@4": 0.6625, "MRR@10": 0.5860}


def _squeeze(text: str) -> str:
    """The published normalisation: drop spaces and newlines only (tabs, NBSP etc. stay)."""
    return text.replace(" ", "").replace("\n", "")


def score_query(gold: Sequence[str], retrieved: Sequence[str]) -> dict[str, Any]:
    """Per-query retrieval scores; the runner can store them beside each query for error analysis."""
    facts = [_squeeze(f) for f in gold]
    found: list[str] = []
    first_rank: int | None = None
    hit4 = False
    precision_sum = 0.0
    for rank, chunk in enumerate((_squeeze(c) for c in retrieved[:CUTOFF]), start=1):
        if not any(f in chunk for f in facts):
            continue
        first_rank = first_rank or rank
        hit4 = hit4 or rank <= 4
        new = 0
        for fact in facts:
            if fact in chunk and fact not in found:
                new += 1
                found.append(fact)
        precision_sum += new / rank
    distinct = set(facts)
    return {
        "first_relevant_rank": first_rank,
        "Hits@10": float(first_rank is not None),
        "Hits@4": float(hit4),
        "MRR@10": 1.0 / first_rank if first_rank else 0.0,
        "MAP@10": precision_sum / min(len(facts), CUTOFF),
        "AllEvidence@10": float(set(found) == distinct),
        "EvidenceRecall@10": len(found) / len(distinct),
    }


def group_means(rows: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    """Mean of each key overall and per ``question_type``: the shape every report expects."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    everything: list[Mapping[str, Any]] = []
    for row in rows:
        everything.append(row)
        groups.setdefault(str(row.get("question_type", "unknown")), []).append(row)

    def summarise(members: list[Mapping[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {"n": len(members)}
        for key in keys:
            values = [float(m[key]) for m in members if m.get(key) is not None]
            out[key] = sum(values) / len(values) if values else None
        return out

    return {
        "overall": summarise(everything),
        "by_type": {name: summarise(groups[name]) for name in sorted(groups)},
    }


def retrieval_metrics(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """MultiHop-RAG retrieval metrics over ``{"question_type", "gold", "retrieved"}`` items.

    ``null_query`` items are skipped as published; items without gold facts (plain-text query
    files) are skipped too, since the published code would divide by zero on them.
    """
    rows: list[dict[str, Any]] = []
    total = skipped_null = skipped_no_gold = 0
    for item in items:
        total += 1
        if item.get("question_type") == NULL_QUERY:
            skipped_null += 1
            continue
        if not item.get("gold"):
            skipped_no_gold += 1
            continue
        row = score_query(item["gold"], item.get("retrieved") or [])
        row["question_type"] = item.get("question_type", "unknown")
        rows.append(row)
    result = group_means(rows, RETRIEVAL_METRIC_KEYS)
    result["counts"] = {
        "items": total,
        "evaluated": len(rows),
        "skipped_null": skipped_null,
        "skipped_no_gold": skipped_no_gold,
    }
    return result


_PUNCT = re.compile(f"[{re.escape(string.punctuation)}\u2018\u2019\u201c\u201d\u2013\u2014]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_POLARITY = {"yes": "yes", "true": "yes", "no": "no", "false": "no"}
_ABSTAIN_PHRASES = (
    "insufficient information",
    "not enough information",
    "cannot be determined",
    "cannot answer",
    "unable to answer",
    "i don t know",
)


def normalise_answer(text: str) -> str:
    """Unicode-composed (NFKC: "Nestle" + combining accent is "Nestlé"), lower-case, punctuation to spaces,
    drop articles, collapse whitespace.

    Punctuation becomes a space rather than vanishing so "Bankman-Fried" and "Bankman Fried" agree.
    """
    text = _PUNCT.sub(" ", unicodedata.normalize("NFKC", text).lower())
    return " ".join(_ARTICLES.sub(" ", text).split())


def is_abstention(text: str | None) -> bool:
    """An empty answer or one that says the passages do not answer the question."""
    norm = normalise_answer(text or "")
    return not norm or any(p in norm for p in _ABSTAIN_PHRASES)


def _polarity(tokens: list[str]) -> str | None:
    """The yes/no an answer commits to: its leading word, else the only polarity it mentions."""
    if tokens and tokens[0] in _POLARITY:
        return _POLARITY[tokens[0]]
    seen = {_POLARITY[t] for t in tokens if t in _POLARITY}
    return seen.pop() if len(seen) == 1 else None


def _contains(haystack: list[str], needle: list[str]) -> bool:
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


def answer_correct(predicted: str | None, gold: str, question_type: str, abstained: bool = False) -> bool:
    """Whether a MultiHop-RAG answer is right.

    Stricter than the published token-overlap check: a null query (or an "Insufficient
    information." gold) is right only when the system abstains; yes/no golds (also True/False)
    need the same polarity; other golds must appear as a whole-word phrase in the answer.
    An abstention is never right for an answerable question.
    """
    gold_norm = normalise_answer(gold)
    abstains = abstained or is_abstention(predicted)
    if question_type == NULL_QUERY or is_abstention(gold):
        return abstains
    if abstains:
        return False
    tokens = normalise_answer(predicted or "").split()
    if gold_norm in _POLARITY:
        return _polarity(tokens) == _POLARITY[gold_norm]
    return _contains(tokens, gold_norm.split())


def _percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/mean in milliseconds; ``None`` values when nothing was timed."""
    if not seconds:
        return {"p50_ms": None, "p95_ms": None, "mean_ms": None}
    ordered = sorted(float(s) * 1000.0 for s in seconds)
    return {
        "p50_ms": _percentile(ordered, 0.50),
        "p95_ms": _percentile(ordered, 0.95),
        "mean_ms": sum(ordered) / len(ordered),
    }


def model_kept_share(rows: Sequence[Mapping[str, Any]]) -> float | None:
    """Of the answers a model drafted, the share that keep its verified sentences (None when it drafted none:
    the extractive default, or a model the settings leave unused)."""
    drafted = [r for r in rows if r.get("drafted")]
    return sum(bool(r.get("model_kept")) for r in drafted) / len(drafted) if drafted else None
