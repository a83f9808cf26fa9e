"""``assistant eval qa``: answer accuracy, abstention and citation quality on MultiHop-RAG-style queries.

Runs the product's own ``Answerer`` on each query and scores:

* accuracy: ``metrics.answer_correct`` (normalised match; yes/no by polarity; null queries must abstain);
* abstention precision/recall (an abstention is "right" on a null query) and false abstention on
  answerable queries;
* ALCE-style citation recall (a shown sentence is fully supported by the passages it cites, per the
  verifier) and citation precision (a citation is irrelevant when it supports nothing alone and the
  sentence stays supported without it);
* dropped share (sentences the verifier removed) and unverified sentences shown (must be 0);
* latency.

Model replies are cached on disk (``.cache/llm-responses``, keyed by model name + messages + parameters),
so a rerun only pays for retrieval and verification. Per-question results go to ``items.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.settings import Settings
from ..llm import ChatModel, Message
from .datasets import load_queries
from .metrics import NULL_QUERY, answer_correct, group_means, latency_summary, model_kept_share
from .report import load_baseline, run_meta, write_report

METRIC_KEYS = ["accuracy", "abstained", "citation_recall", "citation_precision", "dropped_share"]
OVERALL_EXTRA = ["answerable_accuracy", "abstention_precision", "abstention_recall", "false_abstention",
                 "unverified_shown", "model_kept", "p50_ms", "p95_ms"]
REFERENCES = {"GPT-4 with retrieved chunks (MultiHop-RAG paper)": {"accuracy": 0.56}}


def response_cache_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_LLM_CACHE", ".cache/llm-responses"))


class CachedChatModel(ChatModel):
    """Wraps a chat model; identical requests (model, messages, parameters) are answered from disk."""

    def __init__(self, inner: ChatModel, folder: Path | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.context_window = inner.context_window
        self.bundled = inner.bundled
        self.folder = folder or response_cache_dir()
        self.hits = 0
        self.misses = 0

    def key(self, messages: list[Message], max_tokens: int, temperature: float, stop: list[str] | None) -> str:
        blob = json.dumps({"model": self.name, "messages": messages, "max_tokens": max_tokens,
                           "temperature": temperature, "stop": stop}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def stream(self, messages: list[Message], *, max_tokens: int, temperature: float,
               stop: list[str] | None = None) -> Iterator[str]:
        path = self.folder / f"{self.key(messages, max_tokens, temperature, stop)}.json"
        if path.exists():
            self.hits += 1
            yield json.loads(path.read_text(encoding="utf-8"))["reply"]
            return
        self.misses += 1
        pieces = []
        for piece in self.inner.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop):
            pieces.append(piece)
            yield piece
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"model": self.name, "reply": "".join(pieces)}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def spread(items: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """``limit`` items taken round-robin over question types (in file order within a type)."""
    if not limit or limit >= len(items):
        return items
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[item["question_type"]].append(item)
    out: list[dict[str, Any]] = []
    queues = {k: iter(v) for k, v in sorted(groups.items())}
    while len(out) < limit and queues:
        for name in list(queues):
            nxt = next(queues[name], None)
            if nxt is None:
                del queues[name]
                continue
            out.append(nxt)
            if len(out) == limit:
                break
    return out


def citation_scores(answerer, answer) -> tuple[float | None, float | None]:
    """ALCE-style citation recall and precision over the shown sentences of one answer."""
    from ..grounding.verifier import evidence_text

    shown = [s for s in answer.sentences if s.supported]
    if answer.abstained or not shown:
        return None, None
    texts = [evidence_text(p) for p in answer.sources]
    checks: list[tuple[str, list[str]]] = []
    for s in shown:
        checks.append((s.text, [texts[n - 1] for n in s.citations]))
        for n in s.citations:
            checks.append((s.text, [texts[n - 1]]))
            if len(s.citations) > 1:
                checks.append((s.text, [texts[m - 1] for m in s.citations if m != n]))
    verdicts = iter(answerer.verifier.check_many(checks))
    recall_hits = 0
    relevant = total = 0
    for s in shown:
        full = next(verdicts).supported or _system_checked(s)
        recall_hits += full
        for _ in s.citations:
            alone = next(verdicts).supported
            without = next(verdicts).supported if len(s.citations) > 1 else False
            total += 1
            relevant += alone or _system_checked(s) or (full and not without)
    return recall_hits / len(shown), (relevant / total if total else None)


def _system_checked(sentence) -> bool:
    """Date sentences are checked for their facts (outlet, date) only: the verifier's similarity doesn't apply."""
    return sentence.supported and " published its report on " in sentence.text


def evaluate_item(answerer, item: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    answer = answerer.ask(item["query"])
    seconds = time.perf_counter() - started
    gold = item.get("answer") or ""
    qtype = item["question_type"]
    correct = answer_correct(answer.answer, gold, qtype, abstained=answer.abstained) if gold else None
    recall, precision = citation_scores(answerer, answer)
    shown = [s for s in answer.sentences if s.supported]
    total = len(answer.sentences)
    dropped = (total - len(shown)) / total if total else None
    unverified = 0 if answer.abstained else sum(1 for s in answer.sentences if not s.supported
                                                 and answerer.settings.answer.show_unsupported)
    return {
        "id": item["id"], "question_type": qtype, "query": item["query"], "gold": gold,
        "answer": answer.answer, "abstained": float(answer.abstained), "route": answer.route, "reason": answer.reason,
        "accuracy": None if correct is None else float(correct), "citation_recall": recall,
        "citation_precision": precision, "dropped_share": dropped, "unverified_shown": unverified,
        "n_sentences": total, "n_sources": len(answer.sources), "seconds": round(seconds, 3),
        "drafted": answer.drafted, "model_kept": answer.model_kept,
        "sentences": [{"text": s.text, "citations": s.citations, "supported": s.supported, "reasons": s.reasons}
                      for s in answer.sentences],
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = group_means(rows, METRIC_KEYS)
    null = [r for r in rows if r["question_type"] == NULL_QUERY]
    answerable = [r for r in rows if r["question_type"] != NULL_QUERY and r["accuracy"] is not None]
    abstained = [r for r in rows if r["abstained"]]
    overall = metrics["overall"]
    overall["answerable_accuracy"] = (sum(r["accuracy"] for r in answerable) / len(answerable)) if answerable else None
    overall["abstention_precision"] = (sum(r["question_type"] == NULL_QUERY for r in abstained) / len(abstained)
                                       if abstained else None)
    overall["abstention_recall"] = (sum(r["abstained"] for r in null) / len(null)) if null else None
    overall["false_abstention"] = (sum(r["abstained"] for r in answerable) / len(answerable)) if answerable else None
    overall["unverified_shown"] = sum(r["unverified_shown"] for r in rows)
    overall["model_kept"] = model_kept_share(rows)
    overall.update(latency_summary([r["seconds"] for r in rows]))
    routes: dict[str, int] = defaultdict(int)
    for r in rows:
        routes[r["route"]] += 1
    metrics["routes"] = dict(sorted(routes.items()))
    return metrics


def run_qa_eval(settings: Settings, queries_path: str | Path, corpus_path: str | Path, out_dir: str | Path,
                baseline_dir: str | Path | None = None, limit: int | None = None) -> Path:
    """Answer every (or ``limit``, spread over types) query, score, and write the report folder."""
    from datetime import datetime, timezone

    from ..answer.answerer import Answerer
    from ..llm import make_llm
    from .eval_index import eval_settings
    from .in_sample import in_sample_notes, learned_models

    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    scoped = eval_settings(settings, corpus_path)
    items = spread(load_queries(queries_path), limit)
    baseline = load_baseline(baseline_dir) if baseline_dir else None
    llm = make_llm(scoped)
    cached = CachedChatModel(llm) if llm is not None else None
    answerer = Answerer(scoped, llm=cached)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with (out / "items.jsonl").open("w", encoding="utf-8") as handle:
        for number, item in enumerate(items, 1):
            row = evaluate_item(answerer, item)
            rows.append(row)
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            if number % 25 == 0:
                done = [r["accuracy"] for r in rows if r["accuracy"] is not None]
                print(f"  {number}/{len(items)} answered, accuracy so far {sum(done) / max(1, len(done)):.3f}",
                      flush=True)
    metrics = summarise(rows)
    variant = f"llm={answerer.llm_name}"
    meta = run_meta(queries_path, scoped.identity(), started_at=started_at, corpus=str(corpus_path),
                    llm=answerer.llm_name, prompt_version=answerer.prompt_version, limit=limit, n=len(rows),
                    llm_cache={"hits": cached.hits, "misses": cached.misses} if cached else None,
                    routes=metrics["routes"])
    keys = METRIC_KEYS + OVERALL_EXTRA
    notes = in_sample_notes(learned_models(answerer), [item["query"] for item in items])
    write_report(out, "MultiHop-RAG answer quality", {variant: metrics}, variant, baseline, meta, keys,
                 chart_keys=["accuracy", "abstained", "citation_precision"], references=REFERENCES, notes=notes)
    for note in notes:
        print(f"note: {note}")
    print(f"wrote {out}/report.md, metrics.json, chart.png, items.jsonl")
    return out
