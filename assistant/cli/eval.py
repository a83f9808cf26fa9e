"""``assistant eval retrieval|qa|brief|verifier``: evaluation-harness runs writing report.md, metrics.json, chart.png."""

from __future__ import annotations

import argparse
import json

DEFAULT_QUERIES = "evals/data/queries_public.json"
DEFAULT_CORPUS = "evals/data/corpus.json"
DEFAULT_BRIEF_SET = "evals/data/cnndm_frank_validation.json"
DEFAULT_FRANK = "../shared/data/cnndm_frank/frank_validation_model_summaries.json"


def add_parser(sub, shared) -> None:
    p = sub.add_parser("eval", help="run an evaluation (retrieval, qa, brief, verifier) and write a report",
                       description="Runs the product's own pipeline on a dataset and writes report.md, metrics.json "
                                   "and chart.png into --out. Eval indexes are cached in .cache/eval-index "
                                   "(env ASSISTANT_EVAL_CACHE), keyed by corpus hash and settings.")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    common = shared["common"]

    r = kinds.add_parser("retrieval", parents=[common], help="MultiHop-RAG retrieval metrics with ablations",
                         epilog="example: assistant eval retrieval --out evals/runs/retrieval")
    r.add_argument("--queries", default=DEFAULT_QUERIES, help=f"queries JSON (default {DEFAULT_QUERIES})")
    r.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"corpus JSON (default {DEFAULT_CORPUS})")
    r.add_argument("--out", required=True, metavar="DIR", help="report folder")
    r.add_argument("--k", type=int, default=10, help="passages per query (default 10)")
    r.add_argument("--baseline", metavar="DIR", help="an earlier run's folder to compare against")
    r.add_argument("--no-ablations", action="store_true", help="only the configured pipeline, no ablation rows")
    r.add_argument("--limit", type=int, help="only the first N queries (quick checks)")
    r.set_defaults(handler=run_retrieval)

    q = kinds.add_parser("qa", parents=[common], help="answer accuracy, abstention and citation quality",
                         epilog="example: assistant eval qa --llm none --out evals/runs/qa-none")
    q.add_argument("--queries", default=DEFAULT_QUERIES)
    q.add_argument("--corpus", default=DEFAULT_CORPUS)
    q.add_argument("--out", required=True, metavar="DIR")
    q.add_argument("--baseline", metavar="DIR")
    q.add_argument("--limit", type=int, help="only N queries, spread evenly over the question types")
    q.add_argument("--dataset", metavar="DIR",
                   help="a RealTime-QA-layout folder (questions.jsonl + corpus.jsonl) instead of --queries/--corpus: "
                        "each question is asked as of its question_date")
    from .main import add_as_of

    add_as_of(q.add_argument_group("time"))
    q.set_defaults(handler=run_qa)

    b = kinds.add_parser("brief", parents=[common], help="ROUGE of briefing notes vs references, with a lead-3 baseline",
                         epilog="example: assistant eval brief --llm none --out evals/runs/brief-none")
    b.add_argument("--dataset", default=DEFAULT_BRIEF_SET, help="JSON/JSONL items with documents|article and summary|reference")
    b.add_argument("--out", required=True, metavar="DIR")
    b.add_argument("--baseline", metavar="DIR")
    b.add_argument("--limit", type=int)
    b.set_defaults(handler=run_brief)

    v = kinds.add_parser("verifier", parents=[common], help="the verifier on human-labelled summaries and perturbations",
                         epilog="example: assistant eval verifier --out evals/runs/verifier")
    v.add_argument("--dev", default=DEFAULT_FRANK, metavar="FILE",
                   help=f"FRANK validation summaries, a dev set (default {DEFAULT_FRANK}, relative to the repository "
                        "root; skipped with a note when absent)")
    v.add_argument("--corpus", default=DEFAULT_CORPUS, help="MultiHop-RAG corpus: its held-out articles make the "
                                                            "perturbation set")
    v.add_argument("--out", required=True, metavar="DIR")
    v.add_argument("-n", type=int, default=120, help="held-out articles to sample claims from (default 120)")
    v.add_argument("--limit", type=int, help="only the first N summaries and N articles (quick checks)")
    v.set_defaults(handler=run_verifier)


def run_retrieval(args: argparse.Namespace) -> int:
    from ..evals.retrieval_eval import run_retrieval_eval
    from .main import settings_from_args

    run_retrieval_eval(settings_from_args(args), args.queries, args.corpus, args.out, k=args.k,
                       baseline_dir=args.baseline, ablations=not args.no_ablations, limit=args.limit)
    return 0


def run_qa(args: argparse.Namespace) -> int:
    from ..evals.qa_eval import run_qa_eval
    from .main import settings_from_args

    if args.dataset:
        from ..evals.news_eval import run_news_eval

        run_news_eval(settings_from_args(args), args.dataset, args.out, limit=args.limit)
        return 0
    run_qa_eval(settings_from_args(args), args.queries, args.corpus, args.out, baseline_dir=args.baseline,
                limit=args.limit)
    return 0


def run_brief(args: argparse.Namespace) -> int:
    from ..evals.brief_eval import run_brief_eval
    from .main import settings_from_args

    run_brief_eval(settings_from_args(args), args.dataset, args.out, baseline_dir=args.baseline, limit=args.limit)
    return 0


def run_verifier(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..evals.verifier_eval import run_verifier_eval
    from .main import settings_from_args

    from ..evals.frank import DEFAULT_PATH

    dev = DEFAULT_PATH if args.dev == DEFAULT_FRANK else Path(args.dev)  # the default: beside the repository root
    out = run_verifier_eval(settings_from_args(args), dev, args.corpus, args.out, n=args.n, limit=args.limit)
    variants = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["variants"]
    for name, metrics in variants.items():
        numbers = ", ".join(f"{key} {value:.3f}" for key, value in metrics["overall"].items()
                            if isinstance(value, float))
        print(f"{name}: {numbers}")
    print(f"report written to {out / 'report.md'}")
    return 0
