"""Train the re-ranker (``assistant/retrieve/ranker.json``) on MultiHop-RAG queries and, when given, the
answerable questions of a RealTime-QA-layout news set, and estimate it honestly.

Each query's candidates come from the retriever itself (``Retriever.candidates``); a MultiHop-RAG candidate is
relevant when it contains one of the query's evidence facts, a news question's when it is one of the question's
benchmark search results and contains the gold answer's text (each searched as of its question's day, over the
whole news corpus). The two sets are kept in separate indexes, as they are separate corpora. Two models: a classifier (scikit-learn)
whose scores choose the k passages, and a LambdaRank model (LightGBM) that orders them. The estimate is
k-fold cross-validation over queries (each query is ranked by models that never saw it, through the
exported trees exactly as the product runs them; a news set's folds are whole weeks, so a held-out week's
stories were never seen); the shipped models are then fitted on every query.
Needs scikit-learn and LightGBM (``pip install -e '.[train]'``); the product only reads the trees.

    python -m bench.train_ranker --queries evals/data/queries_public.json --corpus evals/data/corpus.json \
        [--news ../shared/data/realtimeqa_dev]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

from assistant.core.settings import Settings
from assistant.evals.datasets import load_queries
from assistant.evals.eval_index import eval_settings
from assistant.evals.metrics import _squeeze, retrieval_metrics
from assistant.evals.news_eval import contains, load_news
from assistant.retrieve.features import FEATURES, FeatureParams
from assistant.retrieve.filters import Filters
from assistant.retrieve.retriever import Retriever
from assistant.retrieve.trees import (
    MODEL_PATH,
    Ranker,
    TreeModel,
    query_key,
    trained_params,
)
from assistant.text.dates import day_stamp
from bench._training import week

# Chosen by held-out metrics averaged over four random 5-fold splits (MRR@10 / AllEvidence@10): 100 trees of 7
# leaves at rate 0.1 0.774 / 0.478; 200 of 15 leaves at 0.05, at least 40 candidates per leaf, 0.788 / 0.481.
# With the sentence features (ordered by this model): 200 trees 0.811 / 0.522, 300 0.812 / 0.529, 400 0.813 /
# 0.532, 600 0.820 / 0.524, 800 0.821 / 0.519; 300 of 31 leaves 0.821 / 0.522; 80 per leaf 0.812 / 0.517.
PARAMS = {"max_iter": 400, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 40,
          "early_stopping": False, "l2_regularization": 1.0, "random_state": 0}
# The ordering model: LambdaRank over each query's candidates. Held out (mean of four splits, candidates
# from exact dense search), ordering the chosen passages by it rather than by the classifier: MRR@10
# 0.794 -> 0.809, MAP@10 0.442 -> 0.450. Pairs count only when one side is in the top 10, as the @10
# metrics do (LightGBM's default, 30: MRR 0.803, MAP 0.448; 5: 0.806 / 0.448; 15: 0.802 / 0.446).
ORDER_PARAMS = {"objective": "lambdarank", "lambdarank_truncation_level": 10, "learning_rate": 0.05,
                "num_leaves": 15, "min_data_in_leaf": 40, "lambda_l2": 1.0, "seed": 0, "deterministic": True,
                "force_col_wise": True, "num_threads": 2, "verbose": -1}
ORDER_ROUNDS = 400
KEYS = ["Hits@4", "Hits@10", "MRR@10", "MAP@10", "AllEvidence@10"]


def collect(retriever: Retriever, items: list[dict], params: FeatureParams) -> list[dict]:
    """Candidates, features (computed with ``params``) and labels of every MultiHop-RAG query."""
    vectors = dict(zip([i["query"] for i in items], retriever.embedder.embed([i["query"] for i in items])))
    out = []
    for item in items:
        plan = retriever.plan(item["query"])
        passages, rows, groups = retriever.candidates(item["query"], plan, vectors[item["query"]], Filters(), params)
        facts = [_squeeze(f) for f in item["gold"]]
        labels = np.array([float(any(f in _squeeze(p.text) for f in facts)) for p in passages])
        out.append({"item": item, "passages": passages, "rows": rows, "labels": labels, "groups": groups})
    return out


def collect_news(retriever: Retriever, questions: list[dict], texts: dict[str, str], params: FeatureParams,
                 folds: int) -> list[dict]:
    """The same for a news set's answerable questions, each searched as of its day; ``fold`` is its week's."""
    weeks = sorted({week(q) for q in questions})
    out = []
    for item in questions:
        golds, urls = [str(g) for g in item["gold"]], set(item.get("doc_urls") or [])
        if not any(contains(texts.get(u, ""), golds) for u in urls):
            continue
        retriever.as_of = date.fromisoformat(str(item["question_date"])[:10])
        plan = retriever.plan(item["query"])
        vector = retriever.embedder.embed([item["query"]])[0]
        filters = Filters(until=day_stamp(retriever.as_of, end=True))
        passages, rows, groups = retriever.candidates(item["query"], plan, vector, filters, params)
        labels = np.array([float(p.article.url in urls and contains(f"{p.article.title} {p.text}", golds))
                           for p in passages])
        out.append({"item": {**item, "gold": golds}, "passages": passages, "rows": rows, "labels": labels,
                    "groups": groups, "fold": weeks.index(week(item)) % folds})
    return out



def fit(queries: list[dict]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows = np.vstack([q["rows"] for q in queries])
    labels = np.concatenate([q["labels"] for q in queries])
    return HistGradientBoostingClassifier(**PARAMS).fit(rows, labels)


def fit_order(queries: list[dict]):
    import lightgbm

    data = lightgbm.Dataset(np.vstack([q["rows"] for q in queries]), np.concatenate([q["labels"] for q in queries]),
                            group=[len(q["labels"]) for q in queries])
    return lightgbm.train(ORDER_PARAMS, data, num_boost_round=ORDER_ROUNDS)


def export(model) -> dict:
    """The classifier's trees as plain lists: [feature, threshold, left, right, value, is_leaf, nan_left] per node."""
    trees, depth = [], 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        depth = max(depth, int(nodes["depth"].max()))
        trees.append([[int(n["feature_idx"]), float(n["num_threshold"]), int(n["left"]), int(n["right"]),
                       float(n["value"]), int(n["is_leaf"]), int(n["missing_go_to_left"])] for n in nodes])
    return {"features": FEATURES, "base": float(np.ravel(model._baseline_prediction)[0]), "depth": depth,
            "params": dict(PARAMS), "nodes": trees}


def export_order(booster) -> dict:
    """LightGBM's trees in the same node lists (a split sends ``value <= threshold`` left, as ours do)."""
    trees, depth = lightgbm_trees(booster)
    return {"features": FEATURES, "base": 0.0, "depth": depth, "params": {**ORDER_PARAMS, "rounds": ORDER_ROUNDS},
            "nodes": trees}


def lightgbm_trees(booster) -> tuple[list[list[list]], int]:
    """A LightGBM booster's trees as node lists [feature, threshold, left, right, value, is_leaf, nan_left],
    and the deepest tree's depth (shared with ``train_verifier``)."""
    trees, depth = [], 0
    for info in booster.dump_model()["tree_info"]:
        nodes: list[list] = []
        stack = [(info["tree_structure"], None, 0)]  # (node, (parent index, side), level)
        while stack:
            node, parent, level = stack.pop()
            index = len(nodes)
            if parent is not None:
                nodes[parent[0]][2 if parent[1] == "left" else 3] = index
            if "leaf_value" in node:
                nodes.append([0, 0.0, 0, 0, float(node["leaf_value"]), 1, 0])
                depth = max(depth, level)
                continue
            if node["decision_type"] != "<=":
                raise ValueError(f"unexpected LightGBM split {node['decision_type']}")
            nodes.append([int(node["split_feature"]), float(node["threshold"]), 0, 0, 0.0, 0, int(node["default_left"])])
            stack.append((node["right_child"], (index, "right"), level + 1))
            stack.append((node["left_child"], (index, "left"), level + 1))
        trees.append(nodes)
    return trees, depth


def train(queries: list[dict], params: FeatureParams) -> tuple[dict, Ranker]:
    """Both models fitted on ``queries`` (whose rows ``params`` computed: the spec keeps them beside the
    trees), exported, and checked: the exported trees must score the training rows as the libraries do."""
    select, order = fit(queries), fit_order(queries)
    spec = {"feature_params": params.to_spec(), "select": export(select), "order": export_order(order),
            "trained_on": sorted(query_key(q["item"]["query"]) for q in queries)}
    ranker = Ranker(TreeModel(spec["select"]), TreeModel(spec["order"]), params)
    rows = np.vstack([q["rows"] for q in queries[:50]])
    for ours, theirs in ((ranker.select.score(rows), select.decision_function(rows)),
                         (ranker.order.score(rows), order.predict(rows, raw_score=True))):
        if not np.allclose(ours, theirs, rtol=0, atol=1e-9):
            raise RuntimeError(f"exported trees disagree with the library by {np.abs(ours - theirs).max():.3g}")
    return spec, ranker


def score(queries: list[dict], ranker_of, k: int, cap: int) -> dict:
    """Overall and per-type metrics of the lists each query's ranker returns (as retrieval assembles them)."""
    results = []
    for q in queries:
        passages = ranker_of(q).rank(q["passages"], q["rows"], q["groups"], k, cap)
        results.append({"question_type": q["item"]["question_type"], "gold": q["item"]["gold"],
                        "retrieved": [p.text for p in passages]})
    return retrieval_metrics(results)


def score_news(queries: list[dict], ranker_of, k: int, cap: int) -> dict:
    """Share of a news set's answerable questions with the gold text in the top 5 / 10 passages."""
    top5 = top10 = 0
    for q in queries:
        passages = ranker_of(q).rank(q["passages"], q["rows"], q["groups"], k, cap)
        held = [contains(f"{p.article.title} {p.text}", q["item"]["gold"]) for p in passages]
        top5 += any(held[:5])
        top10 += any(held[:10])
    return {"gold in top 5": top5 / max(1, len(queries)), "gold in top 10": top10 / max(1, len(queries))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--news", help="a RealTime-QA-layout folder (questions.jsonl + corpus.jsonl) to train on too")
    parser.add_argument("--out", default=str(MODEL_PATH), help="where to write the model (default: the shipped one)")
    parser.add_argument("--folds", type=int, default=5)
    shipped = trained_params()
    for field in dataclasses.fields(FeatureParams):
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=int, default=getattr(shipped, field.name),
                            help=f"feature parameter (default: the shipped model's, {getattr(shipped, field.name)})")
    args = parser.parse_args(argv)
    params = FeatureParams(**{field.name: getattr(args, field.name) for field in dataclasses.fields(FeatureParams)})
    settings = Settings()
    items = [i for i in load_queries(args.queries) if i["gold"]]
    multihop = collect(Retriever(eval_settings(settings, args.corpus, progress=True)), items, params)
    for n, q in enumerate(multihop):
        q["fold"] = n % args.folds
    news: list[dict] = []
    if args.news and (Path(args.news) / "questions.jsonl").exists():
        questions, texts, corpus_path = load_news(args.news)
        news = collect_news(Retriever(eval_settings(settings, corpus_path, progress=True)), questions, texts, params,
                            args.folds)
    elif args.news:
        print(f"no news set at {args.news}: training on MultiHop-RAG alone", file=sys.stderr)
    queries = multihop + news
    k, cap = settings.retrieval.k, settings.retrieval.reranked_per_article_cap
    print(f"{len(multihop)} MultiHop-RAG queries and {len(news)} answerable news questions, "
          f"{sum(len(q['labels']) for q in queries)} candidates", file=sys.stderr)
    held_out: dict[int, Ranker] = {}
    for fold in range(args.folds):
        _, ranker = train([q for q in queries if q["fold"] != fold], params)
        held_out.update({id(q): ranker for q in queries if q["fold"] == fold})
    print(f"{'':40}" + "".join(f"{k:>16}" for k in KEYS))
    held = score(multihop, lambda q: held_out[id(q)], k, cap)
    rows = {f"{args.folds}-fold, each query held out": held["overall"]}
    rows.update({f"  {name} (held out)": metrics for name, metrics in held["by_type"].items()})
    by_select = score(multihop, lambda q: dataclasses.replace(held_out[id(q)], order=held_out[id(q)].select), k, cap)
    rows["  held out, ordered by the classifier"] = by_select["overall"]
    spec, final = train(queries, params)
    rows["in sample (the shipped models)"] = score(multihop, lambda q: final, k, cap)["overall"]
    for name, metrics in rows.items():
        print(f"{name:40}" + "".join(f"{metrics[key]:16.4f}" for key in KEYS))
    if news:
        print(f"news, {len(news)} answerable questions{'':12}{'gold in top 5':>16}{'gold in top 10':>16}")
        for name, ranker_of in ((f"{args.folds}-fold, whole weeks held out", lambda q: held_out[id(q)]),
                                ("in sample (the shipped models)", lambda q: final)):
            result = score_news(news, ranker_of, k, cap)
            print(f"{name:40}{result['gold in top 5']:16.4f}{result['gold in top 10']:16.4f}")
    Path(args.out).write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
