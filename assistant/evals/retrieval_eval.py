"""``assistant eval retrieval``: MultiHop-RAG retrieval metrics for the pipeline and its ablations."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from ..core.settings import Settings
from .datasets import load_queries
from .metrics import (
    PUBLISHED_BEST_RETRIEVAL,
    RETRIEVAL_METRIC_KEYS,
    latency_summary,
    retrieval_metrics,
)
from .report import run_meta, write_report

# (name, retrieval mode, query understanding, learned ranker)
ABLATIONS = [("dense", "dense", False, False), ("bm25", "bm25", False, False), ("hybrid", "hybrid", False, False),
             ("hybrid+qu rules", "hybrid", True, False), ("hybrid+qu", "hybrid", True, True)]


def _variant(retriever, items: list[dict], k: int, mode: str, understand: bool, rerank: bool) -> tuple[dict, list[dict]]:
    queries = [item["query"] for item in items]
    t0 = time.perf_counter()
    results = retriever.search_batch(queries, k=k, mode=mode, understand=understand, rerank=rerank)
    batch_seconds = time.perf_counter() - t0
    single: list[float] = []
    for query in queries:  # one at a time too: the latency a user at the prompt sees
        t1 = time.perf_counter()
        retriever.search(query, k=k, mode=mode, understand=understand, rerank=rerank)
        single.append(time.perf_counter() - t1)
    rows = [{"question_type": item["question_type"], "gold": item["gold"], "retrieved": [p.text for p in passages]}
            for item, passages in zip(items, results)]
    metrics = retrieval_metrics(rows)
    metrics["latency"] = {**latency_summary(single), "batch_ms_per_query": 1000 * batch_seconds / max(1, len(items))}
    per_query = [{"query": item["query"], "question_type": item["question_type"],
                  "chunk_ids": [p.chunk_id for p in passages]} for item, passages in zip(items, results)]
    return metrics, per_query


def run_retrieval_eval(settings: Settings, queries_path: str, corpus_path: str, out_dir: str, k: int = 10,
                       baseline_dir: str | None = None, ablations: bool = True, limit: int | None = None) -> dict[str, Any]:
    """Build or reuse the eval index, run every variant, write report.md/metrics.json/chart.png."""
    from ..retrieve.retriever import Retriever
    from .eval_index import eval_settings
    from .report import load_baseline

    items = load_queries(queries_path)[:limit] if limit else load_queries(queries_path)
    scoped = eval_settings(settings, corpus_path)
    retriever = Retriever(scoped)
    main_name = "hybrid+qu" if settings.retrieval.query_understanding else settings.retrieval.mode
    chosen = ABLATIONS if ablations else [a for a in ABLATIONS if a[0] == main_name] or [(main_name, settings.retrieval.mode, False, False)]
    variants: dict[str, dict] = {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, mode, understand, rerank in chosen:
        print(f"eval retrieval: {name} on {len(items)} queries…", file=sys.stderr)
        variants[name], per_query = _variant(retriever, items, k, mode, understand, rerank and settings.retrieval.rerank)
        if name == main_name:
            with open(out / "items.jsonl", "w", encoding="utf-8") as handle:
                for row in per_query:
                    handle.write(json.dumps(row) + "\n")
    baseline = load_baseline(baseline_dir) if baseline_dir else None
    meta = run_meta(queries_path, scoped.identity(), corpus=str(corpus_path), k=k,
                    settings=json.loads(settings.retrieval.model_dump_json()))
    notes = [note] if (note := in_sample_note(retriever, items, variants)) else []
    write_report(out, "Retrieval on MultiHop-RAG", variants, main_name, baseline, meta, RETRIEVAL_METRIC_KEYS,
                 references={"published best (bge-reranker-large)": PUBLISHED_BEST_RETRIEVAL}, notes=notes)
    print(format_table(variants))
    for note in notes:
        print(f"note: {note}")
    print(f"report: {out / 'report.md'}")
    return variants


def in_sample_note(retriever, items: list[dict], variants: dict[str, dict]) -> str | None:
    """A warning when the learned ranker that orders hybrid+qu was trained on some of these very questions."""
    if "hybrid+qu" not in variants or not retriever.settings.retrieval.rerank:
        return None
    from .in_sample import in_sample_notes, retrieval_models

    notes = in_sample_notes(retrieval_models(retriever)[:1], [item["query"] for item in items])
    return f"hybrid+qu: {notes[0]}" if notes else None


def format_table(variants: dict[str, dict]) -> str:
    """The overall table, with latency, for the terminal."""
    keys = ["Hits@4", "Hits@10", "MRR@10", "MAP@10", "AllEvidence@10"]
    lines = [f"{'variant':16} " + " ".join(f"{k:>14}" for k in keys) + f" {'p50 ms':>8} {'p95 ms':>8}"]
    for name, metrics in variants.items():
        overall = metrics["overall"]
        lat = metrics.get("latency", {})
        lines.append(f"{name:16} " + " ".join(f"{overall[k]:14.4f}" for k in keys)
                     + f" {lat.get('p50_ms') or 0:8.1f} {lat.get('p95_ms') or 0:8.1f}")
    return "\n".join(lines)
