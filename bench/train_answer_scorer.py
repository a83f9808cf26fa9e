"""Train the answer-candidate scorer (``assistant/answer/candidate_scorer.json``) on MultiHop-RAG public queries
and a RealTime-QA-layout news set together, estimate it held out, calibrate it and choose the abstention floor.

Each question is asked as the product asks it (news as of its day, no model); the first time its answer
extracts candidates (``typed._answer_part``) the candidates that could answer (best sentence at least
``typed.SENTENCE_FLOOR``) are recorded with their ``candidate_features`` rows and the question stops there. A
candidate is positive when its text and a gold answer contain one another as whole words (the evals'
normalisation). MultiHop-RAG gives its inference questions (a name answers) and its null questions (nothing
does); news gives every question, answerable when one of its ten benchmark results holds the gold text. The
rows are cached per set (``$ASSISTANT_EVAL_CACHE``, never the repository), so retraining takes seconds.

Held out: k-fold (MultiHop-RAG by question, news by whole weeks); the held-out tree scores fit the Platt
calibration, and the floor is the highest probability at which the best candidate still answers all but
``BUDGET`` of the answerable questions that reach it (most abstention on the others), where reaching it means a
typed question's own path extracts candidates (only a typed question abstains). The shipped trees are
then fitted on everything. Needs LightGBM (``pip install -e '.[train]'``).

    python -m bench.train_answer_scorer --queries evals/data/queries_public.json --corpus evals/data/corpus.json \
        --news ../shared/data/realtimeqa_dev
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

import assistant.answer.typed as typed
from assistant.answer.answerer import Answerer
from assistant.answer.candidate_features import FEATURES, TYPES, rows
from assistant.answer.candidate_scorer import MODEL_PATH, TRAINER
from assistant.answer.extract import gathered
from assistant.answer.plan import plan
from assistant.answer.state import Question
from assistant.answer.wants import TYPED
from assistant.core.settings import Settings
from assistant.evals.datasets import load_queries
from assistant.evals.eval_index import cache_root, eval_settings
from assistant.evals.news_eval import contains, load_news
from assistant.retrieve.filters import Filters
from assistant.retrieve.trees import TreeModel, query_key
from bench._training import both_sets_parser, news_set_missing, week
from bench.train_ranker import lightgbm_trees

MONOTONE = {"similarity": 1, "closeness": 1, "covered": 1, "role": 1, "best_score": 1, "mean_score": 1, "formula": 1,
            "gap_best": -1, "in_question": -1,
            "syntax": 1, "argument_share": 1, "noun_closeness": 1, "noun_best": 1, "similarity_gap": -1,
            "initials_asked": -1, "noun_similarity": 1}
"""What is known before any data: a closer, better-covered, more similar occurrence, the question word's part of its
verb, a slot of its clause rather than a noun's modifier, nearness to the question word's noun, a higher formula
score never make a candidate less likely; a larger gap to the best one, a less similar sentence than the best
candidate's and more of the question's own words (or its initials) never more likely. Held out (5 folds, both
sets, before ``noun_similarity`` and the joined candidate forms): top-1 0.827 with them, 0.838 without, but typed
unanswerable abstention 0.556 with them, 0.111 without. A candidate closer to the question's noun phrase is never
less likely either."""
PARAMS = {"objective": "binary", "monotone_constraints": [MONOTONE.get(f, 0) for f in FEATURES],
          "monotone_constraints_method": "advanced", "learning_rate": 0.05, "num_leaves": 7, "min_data_in_leaf": 20,
          "lambda_l2": 1.0, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": 0,
          "deterministic": True, "force_col_wise": True, "num_threads": 1, "verbose": -1}
ROUNDS = 200
BUDGET = 0.1  # most false abstention allowed on answerable questions that reach the floor


class _Recorded(Exception):
    """Raised by the recording stand-in for ``typed.candidates``: the question's candidates are in hand."""

    def __init__(self, texts: list[str], table: np.ndarray) -> None:
        super().__init__("recorded")
        self.texts, self.table = texts, table


def _record(want, question, ranked, passages, day, vectors=None):
    found = gathered(want, question, ranked, passages)
    table = rows(found, want, question, passages, day, vectors) if found else np.zeros((0, len(FEATURES)))
    keep = [i for i, c in enumerate(found) if c.best.evidence.score >= typed.SENTENCE_FLOOR]
    raise _Recorded([found[i].text for i in keep], table[keep])


def matches(text: str, golds: list[str]) -> bool:
    """The candidate holds a gold answer, or a gold answer holds the candidate ("Biden" for "Joe Biden")."""
    return contains(text, golds) or any(contains(g, [text]) for g in golds)


def ask(answerer: Answerer, query: str, day: date | None) -> tuple[bool, list[str], np.ndarray] | None:
    """Whether the product's own path extracted the question's first candidates (else the typed answer over
    its search results did), their texts and rows; None when neither extracts any."""
    answerer.retriever.as_of = day
    real, typed.candidates = typed.candidates, _record
    try:
        for natural, run in ((True, answerer.ask), (False, lambda text: _typed(answerer, text))):
            try:
                run(query)
            except _Recorded as done:
                return natural, done.texts, done.table
    finally:
        typed.candidates = real
    return None


def _typed(answerer: Answerer, query: str) -> None:
    """The typed answer over the question's search results, as an open question without a model reads them."""
    q = Question(plan(answerer.retriever.plan(query)), Filters())
    q.passages = answerer.retriever.search(query, k=answerer.settings.answer.open_passages, filters=q.scoped,
                                           plan=q.plan.search)
    typed.typed_answer(answerer, q, q.passages)


def collect(answerer: Answerer, items: list[dict], name: str) -> list[dict]:
    """Per question: set, fold key, whether answerable, candidate texts, rows and labels."""
    out = []
    for n, item in enumerate(items):
        got = ask(answerer, item["query"], item.get("day"))
        natural, texts, table = got if got is not None else (False, [], np.zeros((0, len(FEATURES))))
        out.append({"set": name, "query": item["query"], "group": item["group"], "answerable": item["answerable"],
                    "natural": natural,
                    "texts": texts, "rows": table.tolist(), "labels": [matches(t, item["golds"]) for t in texts]})
        if n % 25 == 0:
            print(f"  {name}: {n}/{len(items)}", file=sys.stderr, flush=True)
    return out


def news_items(folder: str) -> list[dict]:
    questions, texts, _ = load_news(folder)
    out = []
    for q in questions:
        golds = [str(g) for g in q["gold"]]
        out.append({"query": q["query"], "golds": golds, "day": date.fromisoformat(str(q["question_date"])[:10]),
                    "group": week(q),
                    "answerable": any(contains(texts.get(u, ""), golds) for u in q.get("doc_urls") or [])})
    return out


def multihop_items(path: str) -> list[dict]:
    kinds = {"inference_query": True, "null_query": False}
    return [{"query": i["query"], "golds": [str(i["answer"])], "group": str(n), "answerable": kinds[i["question_type"]]}
            for n, i in enumerate(load_queries(path)) if i["question_type"] in kinds]


def cached(name: str, source: str, items_of, corpus_of, refresh: bool) -> list[dict]:
    """The set's recorded questions, from the cache when it holds every feature (its rows cut to ``FEATURES``:
    leaving a feature out needs no new recording); else recorded again."""
    key = hashlib.sha256(Path(source).resolve().as_posix().encode()).hexdigest()[:12]
    path = cache_root() / f"answer-scorer-{name}-{key}.json"
    if path.exists() and not refresh:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if set(FEATURES) <= set(stored["features"]):
            cols = [stored["features"].index(f) for f in FEATURES]
            return [{**q, "rows": [[r[c] for c in cols] for r in q["rows"]]} for q in stored["questions"]]
    answerer = Answerer(eval_settings(Settings(), corpus_of(source), progress=True), llm=None)
    out = collect(answerer, items_of(source), name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"features": FEATURES, "questions": out}), encoding="utf-8")
    print(f"{name}: {len(out)} questions recorded in {path}", file=sys.stderr)
    return out


def fit(questions: list[dict]) -> tuple[TreeModel, dict]:
    """Trees fitted on the questions' candidates, exported and checked against LightGBM."""
    import lightgbm

    used = [q for q in questions if q["texts"]]
    table = np.array([r for q in used for r in q["rows"]], dtype=float)
    labels = np.array([float(y) for q in used for y in q["labels"]])
    booster = lightgbm.train(PARAMS, lightgbm.Dataset(table, labels), num_boost_round=ROUNDS)
    trees, depth = lightgbm_trees(booster)
    spec = {"features": FEATURES, "base": 0.0, "depth": depth, "params": {**PARAMS, "rounds": ROUNDS}, "nodes": trees}
    model = TreeModel(spec, FEATURES, source=MODEL_PATH.name, trainer=TRAINER)
    gap = np.abs(model.score(table[:500]) - booster.predict(table[:500], raw_score=True)).max()
    if gap > 1e-9:
        raise RuntimeError(f"exported trees disagree with LightGBM by {gap:.3g}")
    return model, spec


def held_out(questions: list[dict], folds: int) -> None:
    """Each question's ``held`` tree scores, from a model fitted on the other folds of both sets."""
    for fold in range(folds):
        model, _ = fit([q for q in questions if q["fold"] != fold])
        for q in questions:
            if q["fold"] == fold:
                q["held"] = model.score(np.array(q["rows"], dtype=float)).tolist() if q["texts"] else []


def platt(scores: np.ndarray, labels: np.ndarray, steps: int = 50) -> tuple[float, float]:
    """Slope and intercept of the logistic fit of labels on scores (Newton's method, a little ridge)."""
    w = np.zeros(2)
    x = np.column_stack([scores, np.ones_like(scores)])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - labels) + 1e-3 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(2)
        w -= np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])


def _top(scores: list[float]) -> int:
    return int(np.argmax(scores))


def _sigmoid(x: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(slope * x + intercept)))


def reaches(q: dict) -> bool:
    """Whether the question's own path meets the floor: it extracts candidates of a typed answer (an untyped
    "what"/"which" part states its best candidate's sentence whatever its probability, ``typed._answer_part``)."""
    return bool(q["texts"]) and q["natural"] and TYPES[int(q["rows"][0][FEATURES.index("want_type")])] in TYPED


def choose_floor(questions: list[dict], slope: float, intercept: float) -> float:
    """The highest probability at which the best candidate still answers all but ``BUDGET`` of the
    answerable questions that reach the floor (abstention on the others only grows with the floor)."""
    tops = np.sort([_sigmoid(np.max(q["held"]), slope, intercept) for q in questions
                    if reaches(q) and q["answerable"]])
    return float(tops[int(BUDGET * len(tops))])


def summary(questions: list[dict], slope: float, intercept: float, floor: float) -> dict:
    """Held-out top-1 accuracy (model and formula) where the gold is a candidate, and the floor's abstention
    on the questions whose own path reaches it (the formula's at today's floor of 0.3 beside it)."""
    col = FEATURES.index("formula")
    gold = [q for q in questions if any(q["labels"])]
    reach = [q for q in questions if reaches(q)]
    answerable = [q for q in reach if q["answerable"]]
    others = [q for q in reach if not q["answerable"]]

    def abstains(q: dict) -> bool:
        return float(_sigmoid(np.max(q["held"]), slope, intercept)) < floor

    def mean(values: list) -> float:
        return round(float(np.mean(values)), 4) if values else float("nan")

    return {"questions": len(questions), "with_candidates": sum(bool(q["texts"]) for q in questions),
            "gold_a_candidate": len(gold), "reaching_floor": len(reach),
            "top1_model": mean([q["labels"][_top(q["held"])] for q in gold]),
            "top1_formula": mean([q["labels"][_top([r[col] for r in q["rows"]])] for q in gold]),
            "answerable_reaching": len(answerable), "unanswerable_reaching": len(others),
            "false_abstention": mean([abstains(q) for q in answerable]),
            "abstention_unanswerable": mean([abstains(q) for q in others]),
            "answered_right": mean([not abstains(q) and q["labels"][_top(q["held"])] for q in answerable]),
            "formula_answered_right": mean([max(r[col] for r in q["rows"]) >= 0.3
                                            and q["labels"][_top([r[col] for r in q["rows"]])] for q in answerable]),
            "formula_false_abstention": mean([max(r[col] for r in q["rows"]) < 0.3 for q in answerable]),
            "formula_abstention_unanswerable": mean([max(r[col] for r in q["rows"]) < 0.3 for q in others])}


def train(news: list[dict], multihop: list[dict], folds: int, ablate: bool) -> dict:
    """Held-out estimate, calibration and floor, the ablation when asked, then the trees fitted on all."""
    questions = news + multihop
    held_out(questions, folds)
    used = [q for q in questions if q["texts"]]
    slope, intercept = platt(np.array([s for q in used for s in q["held"]]),
                             np.array([float(y) for q in used for y in q["labels"]]))
    floor = choose_floor(questions, slope, intercept)
    report = {name: summary(part, slope, intercept, floor)
              for name, part in (("news", news), ("multihop", multihop), ("both", questions))}
    print(f"{folds}-fold held out (news by whole weeks, MultiHop-RAG by question); floor {floor:.4f}")
    keys = list(report["both"])
    print(f"{'':10}" + "".join(f"{k[:16]:>17}" for k in keys))
    for name, row in report.items():
        print(f"{name:10}" + "".join(f"{row[k]:17}" for k in keys))
    if ablate:
        ablation(questions, folds)
    _, spec = fit(questions)
    return {"features": FEATURES, "trees": spec,
            "calibration": {"slope": slope, "intercept": intercept,
                            "description": "Platt scaling of the trees' score, fitted on the held-out fold scores"},
            "floor": {"value": floor, "budget": BUDGET,
                      "description": "least probability for the best candidate to answer a typed question: the "
                      f"highest at which at most {BUDGET} of the held-out answerable typed questions that reach it "
                      "abstain"},
            "held_out": report}


def ablation(questions: list[dict], folds: int) -> None:
    """Held-out top-1 accuracy and log loss with each feature left out (LightGBM's own predictions)."""
    import lightgbm

    used = [q for q in questions if q["texts"]]
    gold = [q for q in used if any(q["labels"])]

    def measure(cols: list[int]) -> tuple[float, float]:
        held: dict[int, np.ndarray] = {}
        for fold in range(folds):
            train_q = [q for q in used if q["fold"] != fold]
            table = np.array([r for q in train_q for r in q["rows"]])[:, cols]
            labels = np.array([float(y) for q in train_q for y in q["labels"]])
            params = {**PARAMS, "monotone_constraints": [MONOTONE.get(FEATURES[c], 0) for c in cols]}
            booster = lightgbm.train(params, lightgbm.Dataset(table, labels), num_boost_round=ROUNDS)
            for q in used:
                if q["fold"] == fold:
                    held[id(q)] = booster.predict(np.array(q["rows"])[:, cols])
        top1 = float(np.mean([q["labels"][int(np.argmax(held[id(q)]))] for q in gold]))
        p = np.clip(np.concatenate([held[id(q)] for q in used]), 1e-6, 1 - 1e-6)
        y = np.array([float(v) for q in used for v in q["labels"]])
        return top1, float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    every = list(range(len(FEATURES)))
    base = measure(every)
    print(f"ablation: all features top-1 {base[0]:.4f} log loss {base[1]:.4f}")
    for i, name in enumerate(FEATURES):
        top1, loss = measure([c for c in every if c != i])
        print(f"  without {name:15} top-1 {top1:.4f} ({top1 - base[0]:+.4f})  log loss {loss:.4f} ({loss - base[1]:+.4f})")


def main(argv: list[str] | None = None) -> int:
    parser = both_sets_parser(__doc__.split("\n")[0], MODEL_PATH)
    parser.add_argument("--only", choices=["news", "multihop"], help="record one set's candidates and stop")
    parser.add_argument("--refresh", action="store_true", help="record the candidates again")
    parser.add_argument("--ablate", action="store_true", help="also measure each feature left out")
    args = parser.parse_args(argv)
    if news_set_missing(args.news, "train-answer-scorer"):
        return 0
    sets = {"news": lambda: cached("news", args.news, news_items, lambda s: load_news(s)[2], args.refresh),
            "multihop": lambda: cached("multihop", args.queries, multihop_items, lambda s: args.corpus, args.refresh)}
    if args.only:
        sets[args.only]()
        return 0
    news, multihop = sets["news"](), sets["multihop"]()
    weeks = sorted({q["group"] for q in news})
    for q in news:
        q["fold"] = weeks.index(q["group"]) % args.folds
    for q in multihop:
        q["fold"] = int(q["group"]) % args.folds
    spec = train(news, multihop, args.folds, args.ablate)
    spec["trained_on"] = sorted({query_key(q["query"]) for q in news + multihop})  # evals flag in-sample runs
    Path(args.out).write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
