"""Retrieval alone on a RealTime-QA-layout set (``questions.jsonl`` + ``corpus.jsonl``): is the gold answer's
text in the top 5 / 10 passages, for the questions whose benchmark search results hold it ("answerable")?

Each question is searched as ``assistant eval qa --dataset`` searches it (as of its ``question_date``, over the
whole corpus, or with ``--limit N`` over the N chosen questions' results), without answering it. Every answerable
question the top 5 miss is put in one cause, in this order: the gold text is in none of the index's chunks of
its results (chunking or loading lost it); only in chunks published after the question's day; in neither the
dense nor the BM25 candidates; in the candidates but ranked below 5 (ordering). The variants: without the learned
rankers (fused RRF with a per-article cap; rules for a question with sub-queries) and the default (``ranker.json``
orders a question with sub-queries, ``single_ranker.json`` a single-fact question's fused leaders by rank and age).
The single-fact ranker was trained on this dev set too, so the default's numbers here are in sample:
``bench/train_single_ranker.py`` prints the estimate with whole weeks held out.

    python -m bench.bench_news_retrieval --dataset ../shared/data/realtimeqa_dev [--limit 40]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from assistant.core.settings import Settings
from assistant.evals.eval_index import eval_settings
from assistant.evals.news_eval import contains, load_news, pick_questions
from assistant.retrieve.filters import Filters
from assistant.retrieve.retriever import Retriever
from assistant.text.dates import day_stamp

CAUSES = ["top 5", "not in the index", "only after the question's day", "not among the candidates", "ordering"]


def _holds(passage, golds: list[str]) -> bool:
    return contains(f"{passage.article.title} {passage.text}", golds)


def cause(retriever: Retriever, item: dict, golds: list[str], ranked: list) -> str:
    """Why the gold text is not in the top 5 (or "top 5")."""
    if any(_holds(p, golds) for p in ranked[:5]):
        return "top 5"
    urls = set(item.get("doc_urls") or [])
    meta, texts = retriever.bm25.meta, retriever.bm25.texts
    rows = [i for i, m in enumerate(meta) if m.get("url") in urls
            and contains(f"{m.get('title', '')} {texts[i]}", golds)]
    if not rows:
        return "not in the index"
    until = day_stamp(retriever.as_of, end=True)
    if not any(retriever._ts[i] <= until for i in rows):
        return "only after the question's day"
    filters = Filters(until=until)
    config = retriever.settings.retrieval
    found = retriever.dense(retriever.embedder.embed([item["query"]])[0], config.candidates, filters)
    found += retriever.sparse(item["query"], config.candidates, filters)
    return "ordering" if any(_holds(p, golds) for p in found) else "not among the candidates"


def run(retriever: Retriever, questions: list[dict], texts: dict[str, str], rerank: bool) -> dict:
    rows = []
    for item in questions:
        golds = [str(g) for g in item["gold"]]
        retriever.as_of = date.fromisoformat(str(item["question_date"])[:10])
        ranked = retriever.search(item["query"], k=10, rerank=rerank)
        answerable = any(contains(texts.get(u, ""), golds) for u in item.get("doc_urls") or [])
        rows.append({"answerable": answerable, "top5": any(_holds(p, golds) for p in ranked[:5]),
                     "top10": any(_holds(p, golds) for p in ranked),
                     "cause": cause(retriever, item, golds, ranked) if answerable else None})
    answerable = [r for r in rows if r["answerable"]]
    share = lambda rs, key: sum(r[key] for r in rs) / len(rs) if rs else 0.0  # noqa: E731
    return {"n": len(rows), "answerable": len(answerable), "top5": share(answerable, "top5"),
            "top10": share(answerable, "top10"), "top5_all": share(rows, "top5"), "top10_all": share(rows, "top10"),
            "causes": Counter(r["cause"] for r in answerable)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", required=True, help="a folder with questions.jsonl and corpus.jsonl")
    parser.add_argument("--limit", type=int, help="N questions spread over the weeks, searching only their results")
    args = parser.parse_args(argv)
    if not (Path(args.dataset) / "questions.jsonl").exists():
        print(f"bench-news-retrieval: skipped, no RealTime QA set at {args.dataset}", file=sys.stderr)
        return 0
    questions, texts, corpus_path = load_news(args.dataset)
    questions, corpus_path = pick_questions(questions, corpus_path, args.limit)
    retriever = Retriever(eval_settings(Settings(), corpus_path, progress=True))
    print(f"{len(questions)} questions, {len(retriever.bm25)} chunks of {corpus_path}")
    print(f"{'variant':34}{'answerable':>11}{'top 5':>8}{'top 10':>8}{'top 5 all':>11}{'top 10 all':>11}   misses of the top 5")
    for name, rerank in (("without the learned rankers", False), ("default (learned rankers)", True)):
        result = run(retriever, questions, texts, rerank)
        misses = ", ".join(f"{c}: {result['causes'][c]}" for c in CAUSES[1:] if result["causes"][c])
        print(f"{name:34}{result['answerable']:>11}{result['top5']:8.3f}{result['top10']:8.3f}"
              f"{result['top5_all']:11.3f}{result['top10_all']:11.3f}   {misses or '-'}")
    print("note: the single-fact ranker (single_ranker.json) was trained on these questions, so the default's numbers are "
          "in sample; 'make train-single-ranker' prints them with whole weeks held out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
