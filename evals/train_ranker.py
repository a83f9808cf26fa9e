"""Train the re-ranker (``assistant/ranker.json``) on MultiHop-RAG queries, and estimate it honestly.

Each query's candidates come from the retriever itself (``Retriever.candidates``); a candidate is
relevant when it contains one of the query's evidence facts. The estimate is k-fold cross-validation
over queries (each query is ranked by a model that never saw it), printed beside the rule-based
ordering; the shipped model is then fitted on every query. Needs scikit-learn (``pip install -e
'.[train]'``); the product only reads the exported trees.

    python -m evals.train_ranker --queries evals/data/queries_public.json --corpus evals/data/corpus.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from assistant.evals.datasets import load_queries
from assistant.evals.eval_index import eval_settings
from assistant.evals.metrics import _squeeze, retrieval_metrics
from assistant.rerank import FEATURES, MODEL_PATH, assemble
from assistant.retrieval import Filters, Retriever
from assistant.settings import Settings

# Chosen by held-out metrics averaged over four random 5-fold splits (MRR@10 / AllEvidence@10): 100 trees of 7
# leaves at rate 0.1 0.774 / 0.478; 200 of 15 leaves at 0.05, at least 40 candidates per leaf, 0.788 / 0.481.
PARAMS = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 40,
          "early_stopping": False, "l2_regularization": 1.0, "random_state": 0}
KEYS = ["Hits@4", "Hits@10", "MRR@10", "MAP@10", "AllEvidence@10"]


def collect(retriever: Retriever, items: list[dict]) -> list[dict]:
    """Candidates, features and labels of every query the ranker would see (those with sub-queries)."""
    vectors = dict(zip([i["query"] for i in items], retriever.embedder.embed([i["query"] for i in items])))
    out = []
    for item in items:
        plan = retriever.plan(item["query"])
        if not plan.subqueries:
            continue
        passages, rows, groups = retriever.candidates(item["query"], plan, vectors[item["query"]], Filters())
        facts = [_squeeze(f) for f in item["gold"]]
        labels = np.array([float(any(f in _squeeze(p.text) for f in facts)) for p in passages])
        out.append({"item": item, "passages": passages, "rows": rows, "labels": labels, "groups": groups})
    return out


def fit(queries: list[dict]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows = np.vstack([q["rows"] for q in queries])
    labels = np.concatenate([q["labels"] for q in queries])
    return HistGradientBoostingClassifier(**PARAMS).fit(rows, labels)


def score(queries: list[dict], scorer, k: int, cap: int) -> dict:
    """Overall and per-type metrics of the lists ``scorer`` orders (as retrieval assembles them)."""
    results = []
    for q in queries:
        passages = assemble(q["passages"], scorer(q), q["groups"], k, cap)
        results.append({"question_type": q["item"]["question_type"], "gold": q["item"]["gold"],
                        "retrieved": [p.text for p in passages]})
    return retrieval_metrics(results)


def export(model) -> dict:
    """The fitted trees as plain lists: [feature, threshold, left, right, value, is_leaf, nan_left] per node."""
    trees, depth = [], 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        depth = max(depth, int(nodes["depth"].max()))
        trees.append([[int(n["feature_idx"]), float(n["num_threshold"]), int(n["left"]), int(n["right"]),
                       float(n["value"]), int(n["is_leaf"]), int(n["missing_go_to_left"])] for n in nodes])
    return {"features": FEATURES, "base": float(np.ravel(model._baseline_prediction)[0]), "depth": depth,
            "params": {k: v for k, v in PARAMS.items()}, "nodes": trees}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--out", default=str(MODEL_PATH), help="where to write the model (default: the shipped one)")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    settings = Settings()
    items = [i for i in load_queries(args.queries) if i["gold"]]
    retriever = Retriever(eval_settings(settings, args.corpus, progress=True))
    queries = collect(retriever, items)
    k, cap = settings.retrieval.k, settings.retrieval.reranked_per_article_cap
    print(f"{len(queries)} queries with sub-queries, {sum(len(q['labels']) for q in queries)} candidates", file=sys.stderr)
    held_out: dict[int, np.ndarray] = {}
    for fold in range(args.folds):
        model = fit([q for n, q in enumerate(queries) if n % args.folds != fold])
        for n, q in enumerate(queries):
            if n % args.folds == fold:
                held_out[id(q)] = model.decision_function(q["rows"])
    print(f"{'':36}" + "".join(f"{k:>16}" for k in KEYS))
    held = score(queries, lambda q: held_out[id(q)], k, cap)
    rows = {f"{args.folds}-fold, each query held out": held["overall"]}
    rows.update({f"  {name} (held out)": metrics for name, metrics in held["by_type"].items()})
    final = fit(queries)
    rows["in sample (the shipped model)"] = score(queries, lambda q: final.decision_function(q["rows"]), k, cap)["overall"]
    for name, metrics in rows.items():
        print(f"{name:36}" + "".join(f"{metrics[key]:16.4f}" for key in KEYS))
    Path(args.out).write_text(json.dumps(export(final), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
